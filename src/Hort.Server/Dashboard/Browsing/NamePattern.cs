using System.Text;
using System.Text.RegularExpressions;

namespace Hort.Server.Dashboard.Browsing;

/// <summary>
/// What a search looks for in entry names, case-insensitively: a glob when the text holds <c>*</c>, <c>?</c> or
/// <c>[</c> (matched against the whole name), else a substring. Globs run on a non-backtracking regular expression,
/// so no pattern can make a search take more than linear time per name.
/// </summary>
public sealed class NamePattern
{
    /// <summary>Longest search text accepted.</summary>
    public const int MaxLength = 255;

    private readonly string? _substring;
    private readonly Regex? _glob;

    private NamePattern(string? substring, Regex? glob)
    {
        _substring = substring;
        _glob = glob;
    }

    /// <summary>The pattern for a search text, or a <see cref="BadHttpRequestException"/> for an empty, overlong or broken one.</summary>
    public static NamePattern Parse(string? text)
    {
        text = text?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength || text.Contains('\0', StringComparison.Ordinal))
        {
            throw new BadHttpRequestException($"a search needs a name or pattern of 1 to {MaxLength} characters");
        }

        if (text.IndexOfAny(['*', '?', '[']) < 0) return new NamePattern(text, null);
        try
        {
            var options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.Singleline;
            return new NamePattern(null, new Regex(ToRegex(text), options));
        }
        catch (ArgumentException)
        {
            throw new BadHttpRequestException($"'{text}' is not a valid pattern");
        }
    }

    public bool IsMatch(string name) =>
        _glob?.IsMatch(name) ?? name.Contains(_substring!, StringComparison.OrdinalIgnoreCase);

    /// <summary><c>*</c> any run of characters, <c>?</c> one, <c>[a-z]</c> / <c>[!a]</c> a class; a <c>[</c> never closed is literal.</summary>
    private static string ToRegex(string glob)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[' when ClassEnd(glob, i) is var end and > 0:
                    sb.Append('[');
                    var j = i + 1;
                    if (glob[j] is '!' or '^')
                    {
                        sb.Append('^');
                        j++;
                    }

                    for (; j < end; j++)
                    {
                        sb.Append(glob[j] == '-' ? "-" : Regex.Escape(glob[j].ToString()).Replace("]", "\\]", StringComparison.Ordinal));
                    }

                    sb.Append(']');
                    i = end;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return sb.Append('$').ToString();
    }

    /// <summary>Index of the <c>]</c> closing the class opened at <paramref name="open"/> (a first <c>]</c> is a member), or -1.</summary>
    private static int ClassEnd(string glob, int open)
    {
        var j = open + 1;
        if (j < glob.Length && glob[j] is '!' or '^') j++;
        if (j < glob.Length && glob[j] == ']') j++;
        var end = glob.IndexOf(']', j);
        return end;
    }
}
