using System.Security.Cryptography;

namespace Hort.Cli.Tests.Support;

/// <summary>
/// Everything that makes two directory trees equal for these tests: each entry's relative path, type, mode,
/// and for files the SHA-256 of the content (so equal manifests mean byte-identical files), for symlinks the target.
/// </summary>
internal sealed class TreeManifest : IEquatable<TreeManifest>
{
    private readonly SortedDictionary<string, string> _entries;

    private TreeManifest(SortedDictionary<string, string> entries) => _entries = entries;

    public IReadOnlyDictionary<string, string> Entries => _entries;

    /// <summary>Describes every entry below <paramref name="root"/> (the root itself is not included).</summary>
    public static TreeManifest Of(string root, bool withModes = true)
    {
        var entries = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Walk(new DirectoryInfo(root), "", entries, withModes);
        return new TreeManifest(entries);
    }

    /// <summary>A short description of how this manifest differs from <paramref name="other"/>, for failure messages.</summary>
    public string DifferencesFrom(TreeManifest other)
    {
        var lines = new List<string>();
        foreach (var (path, value) in _entries)
        {
            if (!other._entries.TryGetValue(path, out var theirs))
            {
                lines.Add($"only in expected: {path} ({value})");
            }
            else if (theirs != value)
            {
                lines.Add($"differs: {path}: expected {value}, actual {theirs}");
            }
        }

        lines.AddRange(other._entries.Keys.Where(k => !_entries.ContainsKey(k)).Select(k => $"only in actual: {k}"));
        return string.Join('\n', lines.Take(20));
    }

    public bool Equals(TreeManifest? other) => other is not null && _entries.SequenceEqual(other._entries);

    public override bool Equals(object? obj) => Equals(obj as TreeManifest);

    public override int GetHashCode() => _entries.Count;

    private static void Walk(DirectoryInfo dir, string prefix, SortedDictionary<string, string> entries, bool withModes)
    {
        foreach (var entry in dir.EnumerateFileSystemInfos())
        {
            var path = prefix + "/" + entry.Name;
            var mode = withModes ? " " + Convert.ToString((int)entry.UnixFileMode, 8) : "";
            if (entry.LinkTarget is { } target)
            {
                entries[path] = "symlink " + target;
            }
            else if (entry is DirectoryInfo sub)
            {
                entries[path] = "dir" + mode;
                Walk(sub, path, entries, withModes);
            }
            else
            {
                using var stream = File.OpenRead(entry.FullName);
                entries[path] = $"file {stream.Length} {Convert.ToHexStringLower(SHA256.HashData(stream))}{mode}";
            }
        }
    }
}
