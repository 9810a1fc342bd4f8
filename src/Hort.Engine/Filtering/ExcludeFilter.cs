namespace Hort.Engine.Filtering;

/// <summary>
/// Decides which paths a backup skips. A pattern without '/' matches an entry's name anywhere
/// (e.g. <c>*.tmp</c>, <c>node_modules</c>); a pattern starting with '/' matches the absolute path
/// (e.g. <c>/home/*/.cache</c>); any other pattern matches the trailing components of the path
/// (e.g. <c>build/obj</c>). An excluded directory is skipped with everything below it.
/// </summary>
public sealed class ExcludeFilter
{
    private readonly List<GlobPattern> _names = [];
    private readonly List<GlobPattern> _absolute = [];
    private readonly List<GlobPattern> _suffix = [];

    public ExcludeFilter(IEnumerable<string> patterns)
    {
        foreach (var raw in patterns)
        {
            var p = raw.Trim();
            if (p.Length > 1 && p.EndsWith('/'))
            {
                p = p.TrimEnd('/');
            }

            if (p.Length == 0)
            {
                continue;
            }

            if (p.StartsWith('/'))
            {
                _absolute.Add(new GlobPattern(p));
            }
            else if (p.Contains('/'))
            {
                _suffix.Add(new GlobPattern(p));
            }
            else
            {
                _names.Add(new GlobPattern(p));
            }
        }
    }

    /// <summary>True when nothing is excluded.</summary>
    public bool IsEmpty => _names.Count + _absolute.Count + _suffix.Count == 0;

    /// <summary>True when the entry at <paramref name="absolutePath"/> (display form) is excluded.</summary>
    public bool IsExcluded(string absolutePath)
    {
        if (IsEmpty)
        {
            return false;
        }

        var slash = absolutePath.LastIndexOf('/');
        var name = absolutePath.AsSpan(slash + 1);
        foreach (var g in _names)
        {
            if (g.IsMatch(name)) return true;
        }

        foreach (var g in _absolute)
        {
            if (g.IsMatch(absolutePath)) return true;
        }

        if (_suffix.Count > 0)
        {
            for (var i = 0; i < absolutePath.Length; i++)
            {
                if (absolutePath[i] != '/') continue;
                var tail = absolutePath.AsSpan(i + 1);
                foreach (var g in _suffix)
                {
                    if (g.IsMatch(tail)) return true;
                }
            }
        }

        return false;
    }
}
