using System.Globalization;
using System.Text.RegularExpressions;
using Hort.Core;
using Hort.Server.Dashboard.Text;

namespace Hort.Server.Tests.Dashboard;

/// <summary>Every word of the dashboard exists in English and German, and every key a page uses is defined.</summary>
public sealed partial class PageTextTests
{
    private static string SourceRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hort.slnx"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, "src", "Hort.Server", "Dashboard");
    }

    [Fact]
    public void Every_key_used_in_a_page_is_defined()
    {
        var text = new PageText();
        var keys = text.Keys.ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var file in Directory.EnumerateFiles(SourceRoot(), "*.cs*", SearchOption.AllDirectories))
        {
            var source = File.ReadAllText(file);
            foreach (Match m in KeyUse().Matches(source))
            {
                if (!keys.Contains(m.Groups[1].Value)) missing.Add($"{Path.GetFileName(file)}: {m.Groups[1].Value}");
            }
        }

        Assert.True(missing.Count == 0, "keys used but not defined in Dashboard/Text/*.tsv:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void Both_languages_differ_where_they_should_and_formats_take_their_arguments()
    {
        var text = new PageText();
        Assert.NotEmpty(text.Keys);
        Assert.Equal("Overview", text.Get("nav.overview", CultureInfo.GetCultureInfo("en")));
        Assert.Equal("Übersicht", text.Get("nav.overview", CultureInfo.GetCultureInfo("de")));
        foreach (var key in text.Keys)
        {
            var en = text.Get(key, CultureInfo.GetCultureInfo("en"));
            var de = text.Get(key, CultureInfo.GetCultureInfo("de"));
            Assert.Equal(Placeholders(en), Placeholders(de));
        }
    }

    [Fact]
    public void A_malformed_line_or_a_repeated_key_fails_with_its_place()
    {
        var missingColumn = Assert.Throws<HortException>(() => new PageText([("a.tsv", "# c\nx.y\tonly English\n")]));
        Assert.Contains("a.tsv:2", missingColumn.Message, StringComparison.Ordinal);
        var twice = Assert.Throws<HortException>(() => new PageText([("a.tsv", "x\tA\tB\n"), ("b.tsv", "\nx\tC\tD\n")]));
        Assert.Contains("b.tsv:2", twice.Message, StringComparison.Ordinal);
    }

    private static string Placeholders(string s) => string.Join(",", PlaceholderPattern().Matches(s).Select(m => m.Value).Order(StringComparer.Ordinal));

    // T["key"], T.Format("key", ...), text["key"], text.Format("key", ...), and keys listed as ("…", "/x", "nav.key", …).
    [GeneratedRegex(@"(?:\bT|\btext)(?:\[|\.Format\()""([a-zA-Z][\w]*\.[\w.]+)""")]
    private static partial Regex KeyUse();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex PlaceholderPattern();
}
