using Hort.Core;
using Hort.Repository;
using Hort.Repository.Format;
using Hort.Repository.Trees;

namespace Hort.Server.Sessions;

/// <summary>What a walk of a snapshot about to be committed found.</summary>
/// <param name="Files">Files in the snapshot (every occurrence counted).</param>
/// <param name="Referenced">Every tree reached and every chunk of the trees read: what must be in the PC's known set.</param>
/// <param name="Walked">The trees read in this walk, each with the number of files below it: verified once the commit succeeds.</param>
internal sealed record CommitWalkResult(long Files, HashSet<ObjectId> Referenced, IReadOnlyDictionary<ObjectId, long> Walked);

/// <summary>
/// Walks a snapshot from its root tree, one directory level at a time, checking that every tree is indexed as a tree
/// and every chunk of a file as data. A tree the PC's verified set holds (its whole subtree was checked in one of the
/// PC's committed snapshots) is checked itself but not entered again, so a commit reads only the trees that changed.
/// Throws <see cref="UploadRejectedException"/> naming the first missing or mistyped blob.
/// </summary>
internal static class CommitWalk
{
    /// <summary>Given some tree IDs, those of them whose subtree is already verified, with the number of files below each.</summary>
    public delegate Task<IReadOnlyDictionary<ObjectId, long>> VerifiedLookup(IReadOnlyCollection<ObjectId> trees);

    public static async Task<CommitWalkResult> RunAsync(HortRepository repository, ObjectId root, VerifiedLookup verified, CancellationToken ct)
    {
        var referenced = new HashSet<ObjectId>();
        var trees = new HashSet<ObjectId>();
        var chunks = new HashSet<ObjectId>();
        // Each tree read: its own files and its subtrees (one entry per directory naming it).
        var read = new Dictionary<ObjectId, (long Files, List<ObjectId> Subtrees)>();
        var counts = new Dictionary<ObjectId, long>();
        Require(repository, root, BlobType.Tree);
        referenced.Add(root);
        trees.Add(root);
        var level = new List<ObjectId> { root };
        while (level.Count > 0)
        {
            foreach (var (id, files) in await verified(level).ConfigureAwait(false))
            {
                counts[id] = files;
            }

            var next = new List<ObjectId>();
            foreach (var id in level)
            {
                if (counts.ContainsKey(id) || read.ContainsKey(id)) continue;
                var tree = await LoadAsync(repository, id, ct).ConfigureAwait(false);
                long files = 0;
                var subtrees = new List<ObjectId>();
                foreach (var node in tree.Nodes)
                {
                    if (node.Type == NodeType.Directory)
                    {
                        subtrees.Add(node.Subtree);
                        if (trees.Add(node.Subtree))
                        {
                            Require(repository, node.Subtree, BlobType.Tree);
                            referenced.Add(node.Subtree);
                            next.Add(node.Subtree);
                        }
                    }
                    else if (node.Type == NodeType.File)
                    {
                        files++;
                        foreach (var chunk in node.Content)
                        {
                            if (!chunks.Add(chunk)) continue;
                            Require(repository, chunk, BlobType.Data);
                            referenced.Add(chunk);
                        }
                    }
                }

                read[id] = (files, subtrees);
            }

            level = next;
        }

        var walked = new Dictionary<ObjectId, long>(read.Count);
        foreach (var id in read.Keys)
        {
            walked[id] = FilesBelow(id, read, counts);
        }

        return new CommitWalkResult(FilesBelow(root, read, counts), referenced, walked);
    }

    /// <summary>
    /// Files below a tree, from the counts of verified trees and of the trees read, each computed once. Iterative, so
    /// no nesting depth an agent can build overflows the stack.
    /// </summary>
    private static long FilesBelow(ObjectId top, Dictionary<ObjectId, (long Files, List<ObjectId> Subtrees)> read, Dictionary<ObjectId, long> counts)
    {
        var pending = new Stack<(ObjectId Id, bool ChildrenDone)>();
        pending.Push((top, false));
        while (pending.Count > 0)
        {
            var (id, childrenDone) = pending.Pop();
            if (counts.ContainsKey(id)) continue;
            var (files, subtrees) = read[id];
            if (!childrenDone)
            {
                pending.Push((id, true));
                foreach (var subtree in subtrees)
                {
                    if (!counts.ContainsKey(subtree)) pending.Push((subtree, false));
                }

                continue;
            }

            foreach (var subtree in subtrees)
            {
                files += counts[subtree];
            }

            counts[id] = files;
        }

        return counts[top];
    }

    private static async Task<Tree> LoadAsync(HortRepository repository, ObjectId id, CancellationToken ct)
    {
        try
        {
            return await repository.LoadTreeAsync(id, ct).ConfigureAwait(false);
        }
        catch (RepositoryCorruptException e)
        {
            throw new UploadRejectedException("the snapshot references a tree that cannot be read: " + e.Message);
        }
    }

    private static void Require(HortRepository repository, ObjectId id, BlobType type)
    {
        if (!repository.Index.TryGet(id, out var location))
        {
            throw new UploadRejectedException($"blob {id} is referenced but not stored on the server; upload it and commit again");
        }

        if (location.Entry.Type != type)
        {
            throw new UploadRejectedException($"blob {id} is referenced as {type.ToString().ToLowerInvariant()} but stored as {location.Entry.Type.ToString().ToLowerInvariant()}");
        }
    }
}
