namespace Hort.Engine.Filtering;

/// <summary>
/// A shell-style pattern: <c>*</c> matches within one path component, <c>**</c> across components,
/// <c>?</c> one character, <c>[abc]</c>/<c>[a-z]</c>/<c>[!a]</c> a character class.
/// </summary>
public sealed class GlobPattern
{
    private readonly string _pattern;

    public GlobPattern(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        _pattern = pattern;
    }

    public override string ToString() => _pattern;

    /// <summary>True when the whole of <paramref name="text"/> matches.</summary>
    public bool IsMatch(ReadOnlySpan<char> text) => Match(_pattern, text);

    private static bool Match(ReadOnlySpan<char> p, ReadOnlySpan<char> t)
    {
        while (!p.IsEmpty)
        {
            switch (p[0])
            {
                case '*' when p.Length > 1 && p[1] == '*':
                {
                    var rest = p[2..];
                    if (!rest.IsEmpty && rest[0] == '/')
                    {
                        // "**/" also matches zero directories.
                        if (Match(rest[1..], t)) return true;
                    }

                    for (var i = 0; i <= t.Length; i++)
                    {
                        if (Match(rest, t[i..])) return true;
                    }

                    return false;
                }

                case '*':
                {
                    var rest = p[1..];
                    for (var i = 0; i <= t.Length; i++)
                    {
                        if (Match(rest, t[i..])) return true;
                        if (i < t.Length && t[i] == '/') return false;
                    }

                    return false;
                }

                case '?':
                    if (t.IsEmpty || t[0] == '/') return false;
                    p = p[1..];
                    t = t[1..];
                    break;
                case '[':
                {
                    var close = p[1..].IndexOf(']');
                    if (close < 0)
                    {
                        goto default; // a lone '[' is literal
                    }

                    if (t.IsEmpty || t[0] == '/' || !ClassMatches(p.Slice(1, close), t[0])) return false;
                    p = p[(close + 2)..];
                    t = t[1..];
                    break;
                }

                case '\\' when p.Length > 1:
                    if (t.IsEmpty || t[0] != p[1]) return false;
                    p = p[2..];
                    t = t[1..];
                    break;
                default:
                    if (t.IsEmpty || t[0] != p[0]) return false;
                    p = p[1..];
                    t = t[1..];
                    break;
            }
        }

        return t.IsEmpty;
    }

    private static bool ClassMatches(ReadOnlySpan<char> cls, char c)
    {
        var negate = !cls.IsEmpty && (cls[0] == '!' || cls[0] == '^');
        if (negate) cls = cls[1..];
        var hit = false;
        for (var i = 0; i < cls.Length; i++)
        {
            if (i + 2 < cls.Length && cls[i + 1] == '-')
            {
                if (c >= cls[i] && c <= cls[i + 2]) hit = true;
                i += 2;
            }
            else if (cls[i] == c)
            {
                hit = true;
            }
        }

        return hit != negate;
    }
}
