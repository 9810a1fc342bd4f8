using System.Collections.Frozen;
using System.Globalization;
using Hort.Core;

namespace Hort.Server.Dashboard.Text;

/// <summary>
/// The dashboard's words in English and German. Each area keeps its own <c>Dashboard/Text/*.tsv</c> (embedded): lines
/// <c>key TAB English TAB German</c>, blank lines and <c>#</c> comments ignored. The language is the request's UI culture.
/// </summary>
public sealed class PageText
{
    public static readonly string[] Languages = ["en", "de"];

    private readonly FrozenDictionary<string, (string En, string De)> _texts;

    public PageText()
        : this(LoadEmbedded())
    {
    }

    internal PageText(IEnumerable<(string Source, string Content)> files)
    {
        var texts = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var (source, content) in files)
        {
            var number = 0;
            foreach (var raw in content.Split('\n'))
            {
                number++;
                var line = raw.TrimEnd('\r');
                if (line.Length == 0 || line.StartsWith('#')) continue;
                var parts = line.Split('\t');
                if (parts.Length != 3 || parts.Any(p => p.Trim().Length == 0))
                {
                    throw new HortException($"{source}:{number}: expected 'key<TAB>English<TAB>German'");
                }

                if (!texts.TryAdd(parts[0].Trim(), (parts[1].Trim(), parts[2].Trim())))
                {
                    throw new HortException($"{source}:{number}: the key '{parts[0].Trim()}' is defined twice");
                }
            }
        }

        _texts = texts.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every key, for tests.</summary>
    public IEnumerable<string> Keys => _texts.Keys;

    /// <summary>The text for <paramref name="key"/> in the current UI language; the key itself when it is unknown.</summary>
    public string this[string key] => Get(key, CultureInfo.CurrentUICulture);

    public string Get(string key, CultureInfo culture) =>
        _texts.TryGetValue(key, out var t) ? (culture.TwoLetterISOLanguageName == "de" ? t.De : t.En) : key;

    /// <summary>The text with <c>{0}</c>-style arguments, formatted in the current culture.</summary>
    public string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, this[key], args);

    private static IEnumerable<(string, string)> LoadEmbedded()
    {
        var assembly = typeof(PageText).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".tsv", StringComparison.Ordinal)).Order())
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            yield return (name, reader.ReadToEnd());
        }
    }
}
