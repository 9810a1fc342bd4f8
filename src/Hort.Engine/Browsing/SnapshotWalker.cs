using System.Runtime.CompilerServices;
using Hort.Core;
using Hort.Repository;
using Hort.Repository.Trees;

namespace Hort.Engine.Browsing;

/// <summary>An entry reached while walking a snapshot, with its path from the snapshot root.</summary>
public sealed record WalkedNode(string Path, TreeNode Node);

/// <summary>Finds and enumerates entries in a snapshot's trees.</summary>
public sealed class SnapshotWalker(HortRepository repository)
{
    /// <summary>Splits a user-given path ("/home/anna/x") into name components.</summary>
    public static byte[][] SplitPath(string path) => path
        .Split('/', StringSplitOptions.RemoveEmptyEntries)
        .Where(p => p != ".")
        .Select(NameText.FromText)
        .ToArray();

    /// <summary>"/a/b" for name components a and b, each shown as <see cref="NameText.Display"/> does.</summary>
    public static string DisplayPath(IEnumerable<byte[]> components) =>
        "/" + string.Join('/', components.Select(c => NameText.Display(c)));

    /// <summary>The node at <paramref name="path"/>, or null when the path does not exist; "/" gives null with found = true.</summary>
    public async Task<(bool Found, TreeNode? Node)> FindAsync(ObjectId rootTree, string path, CancellationToken ct = default)
    {
        var parts = SplitPath(path);
        if (parts.Length == 0)
        {
            return (true, null);
        }

        var tree = await repository.LoadTreeAsync(rootTree, ct).ConfigureAwait(false);
        TreeNode? node = null;
        for (var i = 0; i < parts.Length; i++)
        {
            node = tree.Find(parts[i]);
            if (node is null) return (false, null);
            if (i < parts.Length - 1)
            {
                if (node.Type != NodeType.Directory) return (false, null);
                tree = await repository.LoadTreeAsync(node.Subtree, ct).ConfigureAwait(false);
            }
        }

        return (true, node);
    }

    /// <summary>Every entry below <paramref name="treeId"/> in depth-first, name order, with paths under <paramref name="prefix"/>.</summary>
    public async IAsyncEnumerable<WalkedNode> WalkAsync(ObjectId treeId, string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var tree = await repository.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
        foreach (var node in tree.Nodes)
        {
            var path = (prefix == "/" ? "" : prefix) + "/" + node.DisplayName;
            yield return new WalkedNode(path, node);
            if (node.Type == NodeType.Directory)
            {
                await foreach (var child in WalkAsync(node.Subtree, path, ct).ConfigureAwait(false))
                {
                    yield return child;
                }
            }
        }
    }
}
