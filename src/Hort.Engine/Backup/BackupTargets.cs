using Hort.Core;
using Hort.Engine.FileSystem;

namespace Hort.Engine.Backup;

/// <summary>
/// The paths of one backup arranged as a tree from "/": intermediate directories are recorded with their own
/// metadata but only the chosen children; chosen paths are saved whole. Nested choices collapse into their parent.
/// </summary>
internal sealed class BackupTargets
{
    private BackupTargets(TargetNode root, List<byte[]> paths, List<string> display)
    {
        Root = root;
        Paths = paths;
        DisplayPaths = display;
    }

    public TargetNode Root { get; }

    public IReadOnlyList<byte[]> Paths { get; }

    public IReadOnlyList<string> DisplayPaths { get; }

    public static BackupTargets Resolve(IReadOnlyList<string> paths)
    {
        if (paths.Count == 0)
        {
            throw new HortException("nothing to back up: give at least one path");
        }

        var absolute = new List<byte[]>();
        foreach (var p in paths)
        {
            var full = Normalize(Path.IsPathRooted(p) ? p : Path.Combine(Environment.CurrentDirectory, p));
            var bytes = PosixFileSystem.ToBytes(full);
            try
            {
                PosixFileSystem.LStat(bytes);
            }
            catch (IOException e)
            {
                throw new HortException($"cannot back up {full}: {e.Message}", e);
            }

            absolute.Add(bytes);
        }

        absolute.Sort(static (a, b) => a.AsSpan().SequenceCompareTo(b));
        var kept = new List<byte[]>();
        foreach (var p in absolute)
        {
            if (kept.Count > 0 && IsWithin(p, kept[^1]))
            {
                continue;
            }

            kept.Add(p);
        }

        var root = new TargetNode([], [(byte)'/']);
        foreach (var p in kept)
        {
            if (p.Length == 1)
            {
                root.IsTarget = true;
                continue;
            }

            var node = root;
            var start = 1;
            while (start < p.Length)
            {
                var end = Array.IndexOf(p, (byte)'/', start);
                if (end < 0) end = p.Length;
                var name = p[start..end];
                node = node.Child(name, p[..end]);
                start = end + 1;
            }

            node.IsTarget = true;
        }

        return new BackupTargets(root, kept, kept.Select(b => PosixFileSystem.Display(b)).ToList());
    }

    private static bool IsWithin(byte[] path, byte[] dir) =>
        path.AsSpan().StartsWith(dir) && (dir.Length == 1 || path.Length == dir.Length || path[dir.Length] == (byte)'/');

    /// <summary>Removes "." and ".." and duplicate slashes without touching the file system.</summary>
    private static string Normalize(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(part);
        }

        return "/" + string.Join('/', parts);
    }
}

/// <summary>A directory on the way to a chosen path, or a chosen path itself.</summary>
internal sealed class TargetNode(byte[] name, byte[] fullPath)
{
    public byte[] Name { get; } = name;

    public byte[] FullPath { get; } = fullPath;

    public bool IsTarget { get; set; }

    public SortedDictionary<byte[], TargetNode> Children { get; } = new(ByteNameComparer.Instance);

    public TargetNode Child(byte[] name, byte[] fullPath)
    {
        if (!Children.TryGetValue(name, out var child))
        {
            child = new TargetNode(name, fullPath);
            Children.Add(name, child);
        }

        return child;
    }
}

/// <summary>Orders names byte-wise, as trees store them.</summary>
internal sealed class ByteNameComparer : IComparer<byte[]>
{
    public static readonly ByteNameComparer Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}
