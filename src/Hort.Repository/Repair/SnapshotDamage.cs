using Hort.Core;
using Hort.Repository.Format;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;

namespace Hort.Repository.Repair;

/// <summary>What one snapshot lacks: the blobs the index cannot supply and the paths they make unreadable.</summary>
public sealed record SnapshotLoss(ObjectId Snapshot, IReadOnlyList<ObjectId> MissingBlobs, IReadOnlyList<string> Paths);

/// <summary>
/// Finds, for every snapshot, the data and tree blobs the repository's current index does not hold (or that do not
/// load) and the display paths that depend on them. Subtrees without damage are skipped after their first visit.
/// </summary>
internal sealed class SnapshotDamage(HortRepository repository)
{
    /// <summary>Tree → true when it or any tree below it lacks a blob.</summary>
    private readonly Dictionary<ObjectId, bool> _damaged = [];

    /// <summary>Trees that cannot be loaded.</summary>
    private readonly HashSet<ObjectId> _lostTrees = [];

    public async Task<SnapshotLoss?> FindAsync(StoredSnapshot snapshot, CancellationToken ct)
    {
        var missing = new HashSet<ObjectId>();
        var paths = new List<string>();
        await WalkAsync(snapshot.Snapshot.Tree, "", missing, paths, ct).ConfigureAwait(false);
        return missing.Count == 0 ? null : new SnapshotLoss(snapshot.Id, [.. missing.Order()], paths);
    }

    private bool Has(ObjectId id, BlobType type) => repository.Index.TryGet(id, out var location) && location.Entry.Type == type;

    private async Task<Tree?> LoadAsync(ObjectId treeId, CancellationToken ct)
    {
        if (_lostTrees.Contains(treeId))
        {
            return null;
        }

        try
        {
            return await repository.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
        }
        catch (HortException)
        {
            _lostTrees.Add(treeId);
            return null;
        }
    }

    private async Task<bool> IsDamagedAsync(ObjectId treeId, CancellationToken ct)
    {
        if (_damaged.TryGetValue(treeId, out var known))
        {
            return known;
        }

        var tree = await LoadAsync(treeId, ct).ConfigureAwait(false);
        var damaged = tree is null;
        if (tree is not null)
        {
            foreach (var node in tree.Nodes)
            {
                if (node.Content.Any(c => !Has(c, BlobType.Data))
                    || (node.Type == NodeType.Directory && await IsDamagedAsync(node.Subtree, ct).ConfigureAwait(false)))
                {
                    damaged = true;
                    break;
                }
            }
        }

        _damaged[treeId] = damaged;
        return damaged;
    }

    private async Task WalkAsync(ObjectId treeId, string path, HashSet<ObjectId> missing, List<string> paths, CancellationToken ct)
    {
        if (!await IsDamagedAsync(treeId, ct).ConfigureAwait(false))
        {
            return;
        }

        var tree = await LoadAsync(treeId, ct).ConfigureAwait(false);
        if (tree is null)
        {
            missing.Add(treeId);
            paths.Add((path.Length == 0 ? "/" : path) + " (directory listing lost)");
            return;
        }

        foreach (var node in tree.Nodes)
        {
            var childPath = path + "/" + node.DisplayName;
            if (node.Type == NodeType.Directory)
            {
                await WalkAsync(node.Subtree, childPath, missing, paths, ct).ConfigureAwait(false);
                continue;
            }

            var lost = false;
            foreach (var chunk in node.Content)
            {
                if (!Has(chunk, BlobType.Data))
                {
                    missing.Add(chunk);
                    lost = true;
                }
            }

            if (lost)
            {
                paths.Add(childPath);
            }
        }
    }
}
