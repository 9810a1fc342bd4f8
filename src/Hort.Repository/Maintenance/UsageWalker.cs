using Hort.Core;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;

namespace Hort.Repository.Maintenance;

/// <summary>
/// Collects every blob the snapshots reach, looking blobs up in a primary index and, failing that, in a fallback
/// (the packs a prune announced): fallback packs that turn out to be needed are collected as rescued. A blob found in
/// neither, or a tree that cannot be read, stops prune.
/// </summary>
internal sealed class UsageWalker(HortRepository repository, BlobIndex primary, BlobIndex? fallback)
{
    /// <summary>Fallback packs some snapshot needs.</summary>
    public HashSet<ObjectId> Rescued { get; } = [];

    public async Task WalkAsync(StoredSnapshot snapshot, HashSet<ObjectId> used, CancellationToken ct)
    {
        var label = $"snapshot {snapshot.Id.ToShortString()}";
        var pending = new Stack<ObjectId>();
        if (used.Add(snapshot.Snapshot.Tree))
        {
            pending.Push(snapshot.Snapshot.Tree);
        }

        while (pending.Count > 0)
        {
            var treeId = pending.Pop();
            var tree = await LoadTreeAsync(treeId, label, ct).ConfigureAwait(false);
            foreach (var node in tree.Nodes)
            {
                if (node.Type == NodeType.Directory)
                {
                    if (used.Add(node.Subtree))
                    {
                        pending.Push(node.Subtree);
                    }
                }
                else if (node.Type == NodeType.File)
                {
                    foreach (var chunk in node.Content)
                    {
                        if (used.Add(chunk))
                        {
                            Locate(chunk, BlobType.Data, label);
                        }
                    }
                }
            }
        }
    }

    private BlobLocation Locate(ObjectId id, BlobType type, string label)
    {
        if (primary.TryGet(id, out var location))
        {
            return location;
        }

        if (fallback is not null && fallback.TryGet(id, out location))
        {
            Rescued.Add(location.PackId);
            return location;
        }

        throw new PruneRefusedException($"{label} needs {type.ToString().ToLowerInvariant()} blob {id}, which is not stored; run 'hort check'");
    }

    private async Task<Tree> LoadTreeAsync(ObjectId id, string label, CancellationToken ct)
    {
        var location = Locate(id, BlobType.Tree, label);
        try
        {
            if (location.Entry.Type != BlobType.Tree)
            {
                throw new RepositoryCorruptException($"tree {id}", "is stored as a data blob");
            }

            return Tree.Decode(await repository.LoadBlobAsync(location, ct).ConfigureAwait(false), $"tree {id}");
        }
        catch (RepositoryCorruptException e)
        {
            throw new PruneRefusedException($"{label}: {e.Message}; run 'hort check'", e);
        }
    }
}
