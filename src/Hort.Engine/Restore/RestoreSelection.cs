using Hort.Engine.Browsing;

namespace Hort.Engine.Restore;

/// <summary>Whether a snapshot path is restored whole, only entered on the way to an included path, or skipped.</summary>
internal enum Selection
{
    Skip,
    Enter,
    Whole,
}

/// <summary>Matches snapshot paths (as name-byte components) against the --include paths.</summary>
internal sealed class RestoreSelection
{
    private readonly List<byte[][]> _includes = [];

    public RestoreSelection(IEnumerable<string> includes)
    {
        foreach (var inc in includes)
        {
            var parts = SnapshotWalker.SplitPath(inc);
            if (parts.Length == 0)
            {
                _includes.Clear();
                return; // "/" means everything
            }

            _includes.Add(parts);
        }
    }

    public Selection Select(IReadOnlyList<byte[]> path)
    {
        if (_includes.Count == 0)
        {
            return Selection.Whole;
        }

        var result = Selection.Skip;
        foreach (var inc in _includes)
        {
            var common = Math.Min(inc.Length, path.Count);
            var match = true;
            for (var i = 0; i < common && match; i++)
            {
                match = inc[i].AsSpan().SequenceEqual(path[i]);
            }

            if (!match) continue;
            if (path.Count >= inc.Length) return Selection.Whole;
            result = Selection.Enter;
        }

        return result;
    }
}
