using Hort.Core;
using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Trees;
using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Sessions;

namespace Hort.Server.Dashboard.Browsing;

/// <summary>An entry of a snapshot, found at a path: the snapshot's root folder when <see cref="Node"/> is null.</summary>
public sealed record SnapshotItem(SnapshotDto Snapshot, string Path, TreeNode? Node)
{
    public bool IsFolder => Node is null || Node.Type == NodeType.Directory;

    public bool IsFile => Node is { Type: NodeType.File };

    /// <summary>The tree of a folder's entries.</summary>
    public ObjectId Tree => Node?.Subtree ?? ObjectId.Parse(Snapshot.Tree);

    /// <summary>The last path component, or "" for the root folder.</summary>
    public string Name => Node?.DisplayName ?? "";
}

/// <summary>One entry of a folder as the dashboard lists it.</summary>
public sealed record FolderEntry(string Name, string Path, NodeType Type, long Size, DateTimeOffset Modified, uint Mode, string? LinkTarget);

/// <summary>A file as one snapshot holds it; <see cref="ContentChanged"/> compares it with the next older snapshot holding the file.</summary>
public sealed record FileVersion(string SnapshotId, DateTimeOffset SnapshotTime, long Size, DateTimeOffset Modified, uint Mode, bool ContentChanged);

/// <summary>
/// Reads a PC's snapshots for the dashboard: folder listings, a file's versions across the PC's snapshots and entries
/// at a path. A snapshot is only reached through the PC that made it; another PC's snapshot ID is answered as if it
/// did not exist. Paths must be absolute, without <c>.</c>, <c>..</c> or NUL (the rules of <see cref="RestoreRequests"/>).
/// </summary>
public sealed partial class SnapshotBrowser(HortRepository repository, ServerCatalog catalog)
{
    /// <summary>The PC's snapshots, newest first; a <see cref="NotFoundException"/> when there is no such PC.</summary>
    public async Task<IReadOnlyList<SnapshotDto>> SnapshotsAsync(string pcId, CancellationToken ct)
    {
        await RequirePcAsync(pcId, ct).ConfigureAwait(false);
        return await catalog.ListSnapshotsAsync(pcId, ct).ConfigureAwait(false);
    }

    /// <summary>The PC's snapshot, or a <see cref="NotFoundException"/> when it is not that PC's.</summary>
    public async Task<SnapshotDto> SnapshotAsync(string pcId, string snapshotId, CancellationToken ct)
    {
        var snapshot = Ids.IsValid(pcId) ? await catalog.GetSnapshotAsync(snapshotId, ct).ConfigureAwait(false) : null;
        if (snapshot is null || snapshot.PcId != pcId || !ObjectId.TryParse(snapshot.Tree, out _))
        {
            throw new NotFoundException($"PC {pcId} has no snapshot {snapshotId}");
        }

        return snapshot;
    }

    /// <summary>The entry at <paramref name="path"/> of the PC's snapshot; 400 for a malformed path, 404 when it is not there.</summary>
    public async Task<SnapshotItem> FindAsync(string pcId, string snapshotId, string? path, CancellationToken ct)
    {
        var normal = NormalPath(path);
        var snapshot = await SnapshotAsync(pcId, snapshotId, ct).ConfigureAwait(false);
        var (found, node) = await LocateAsync(ObjectId.Parse(snapshot.Tree), normal, ct).ConfigureAwait(false);
        return found ? new SnapshotItem(snapshot, normal, node) : throw new NotFoundException($"snapshot {snapshot.Id} has no path {normal}");
    }

    /// <summary>The entries of a folder: folders first, then by name (case-insensitive).</summary>
    public async Task<IReadOnlyList<FolderEntry>> ListAsync(SnapshotItem folder, CancellationToken ct)
    {
        if (!folder.IsFolder) throw new BadHttpRequestException($"{folder.Path} is not a folder");
        var tree = await repository.LoadTreeAsync(folder.Tree, ct).ConfigureAwait(false);
        return [.. tree.Nodes
            .Select(n => ToEntry(Child(folder.Path, n.DisplayName), n))
            .OrderBy(e => e.Type == NodeType.Directory ? 0 : 1)
            .ThenBy(e => e.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(e => e.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The file at <paramref name="path"/> in each of the PC's snapshots that holds a file there, newest first. A version's
    /// content counts as changed when its chunk list differs from the next older version's (the oldest always counts).
    /// </summary>
    public async Task<IReadOnlyList<FileVersion>> VersionsAsync(string pcId, string? path, CancellationToken ct)
    {
        var normal = NormalPath(path);
        var found = new List<(SnapshotDto Snapshot, TreeNode Node)>();
        foreach (var snapshot in await SnapshotsAsync(pcId, ct).ConfigureAwait(false))
        {
            if (!ObjectId.TryParse(snapshot.Tree, out var root)) continue;
            var (_, node) = await LocateAsync(root, normal, ct).ConfigureAwait(false);
            if (node is { Type: NodeType.File }) found.Add((snapshot, node));
        }

        var versions = new FileVersion[found.Count];
        for (var i = 0; i < found.Count; i++)
        {
            var (snapshot, node) = found[i];
            var changed = i == found.Count - 1 || !node.Content.SequenceEqual(found[i + 1].Node.Content);
            versions[i] = new FileVersion(snapshot.Id, snapshot.Time, (long)node.Size, node.ModifyTime.ToDateTimeOffset(), node.Mode, changed);
        }

        return versions;
    }

    /// <summary>"/a/b" for a well-formed absolute path, else a <see cref="BadHttpRequestException"/>; null or empty is the root.</summary>
    public static string NormalPath(string? path) =>
        string.IsNullOrEmpty(path) ? "/" : RestoreRequests.Normalize(path) ?? throw new BadHttpRequestException($"'{path}' is not an absolute path without '.' or '..' components");

    /// <summary>The path of <paramref name="name"/> inside the folder at <paramref name="folder"/>.</summary>
    public static string Child(string folder, string name) => (folder == "/" ? "" : folder) + "/" + name;

    internal static FolderEntry ToEntry(string path, TreeNode node) => new(
        node.DisplayName, path, node.Type, (long)node.Size, node.ModifyTime.ToDateTimeOffset(), node.Mode,
        node.Type == NodeType.Symlink ? NameText.Display(node.LinkTarget) : null);

    private async Task RequirePcAsync(string pcId, CancellationToken ct)
    {
        if (!Ids.IsValid(pcId) || await catalog.GetPcAsync(pcId, ct).ConfigureAwait(false) is null)
        {
            throw new NotFoundException($"there is no PC {pcId}");
        }
    }

    /// <summary>
    /// The node at a normal path (null for "/"). A component matches a name by its UTF-8 bytes or, for names that are not
    /// valid UTF-8, by the text the dashboard showed for it (<see cref="NameText.Display"/>).
    /// </summary>
    private async Task<(bool Found, TreeNode? Node)> LocateAsync(ObjectId root, string path, CancellationToken ct)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var treeId = root;
        TreeNode? node = null;
        foreach (var part in parts)
        {
            if (node is not null)
            {
                if (node.Type != NodeType.Directory) return (false, null);
                treeId = node.Subtree;
            }

            var tree = await repository.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
            node = tree.Find(NameText.FromText(part)) ?? tree.Nodes.FirstOrDefault(n => n.DisplayName == part);
            if (node is null) return (false, null);
        }

        return (true, node);
    }
}
