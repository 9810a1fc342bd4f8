using Hort.Core;

namespace Hort.Repository.Trees;

/// <summary>
/// A directory listing: nodes sorted by name (byte-wise, unsigned), names unique.
/// Encoded by <see cref="Tree.Encode"/> and decoded by <see cref="Tree.Decode"/> (Tree.Codec.cs).
/// </summary>
public sealed partial class Tree
{
    /// <summary>The tree format version written as the first byte.</summary>
    public const byte Version = 1;

    public Tree(IReadOnlyList<TreeNode> nodes)
    {
        var sorted = nodes.ToArray();
        Array.Sort(sorted, static (a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i - 1].Name.AsSpan().SequenceEqual(sorted[i].Name))
            {
                throw new ArgumentException($"Duplicate name '{sorted[i].DisplayName}' in one directory.", nameof(nodes));
            }
        }

        Nodes = sorted;
    }

    private Tree(TreeNode[] sortedNodes, bool _) => Nodes = sortedNodes;

    /// <summary>The entries, sorted by name.</summary>
    public IReadOnlyList<TreeNode> Nodes { get; }

    /// <summary>Finds an entry by its exact name bytes.</summary>
    public TreeNode? Find(ReadOnlySpan<byte> name)
    {
        int lo = 0, hi = Nodes.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var c = Nodes[mid].Name.AsSpan().SequenceCompareTo(name);
            if (c == 0) return Nodes[mid];
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }

        return null;
    }

    /// <summary>IDs of every blob this tree refers to directly (chunks and subtrees).</summary>
    public IEnumerable<ObjectId> References()
    {
        foreach (var n in Nodes)
        {
            if (n.Type == NodeType.Directory) yield return n.Subtree;
            foreach (var c in n.Content) yield return c;
        }
    }
}
