using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Tests.Format;
using Hort.Repository.Trees;

namespace Hort.Repository.Tests.Trees;

public sealed class TreeMalformedTests
{
    // Tree plaintext is authenticated by its envelope, but Decode itself must still be safe on any bytes.
    private static readonly byte[][] Valid = TreeGen.NodeLists
        .Sample(6, new Rnd(MalformedInput.Seed), 24)
        .Select(nodes => new Tree(nodes.Take(6).ToList()).Encode())
        .Append(new Tree([]).Encode())
        .ToArray();

    [Fact]
    public void Mutated_trees_decode_to_a_valid_canonical_tree_or_are_rejected()
    {
        foreach (var mutant in MalformedInput.Mutations(Valid, 5000))
        {
            MalformedInput.AssertDecodesOrRejects(
                mutant, b => Tree.Decode(b, "tree test"), tree => AssertValid(tree, mutant.Bytes),
                typeof(RepositoryCorruptException), typeof(UnsupportedFormatException));
        }
    }

    [Fact]
    public void Truncated_trees_are_rejected_as_corruption()
    {
        foreach (var valid in Valid)
        {
            foreach (var mutant in MalformedInput.Truncations(valid, 150).Where(m => m.Bytes.Length > 0))
            {
                MalformedInput.AssertDecodesOrRejects(mutant, b => Tree.Decode(b, "tree 1234"), _ => Assert.Fail("a truncated tree decoded"));
            }
        }
    }

    [Fact]
    public void Nothing_at_all_is_rejected_as_corruption()
    {
        var e = Assert.Throws<RepositoryCorruptException>(() => Tree.Decode([], "tree 1234"));

        Assert.Equal("tree 1234", e.ObjectName);
    }

    [Fact]
    public void A_newer_tree_version_is_refused_as_unsupported_naming_the_version()
    {
        var bytes = new Tree([]).Encode();
        bytes[0] = 2;

        var e = Assert.Throws<UnsupportedFormatException>(() => Tree.Decode(bytes, "tree 1234"));

        Assert.Contains("version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tree_version_0_is_corruption_not_a_newer_format()
    {
        var bytes = new Tree([]).Encode();
        bytes[0] = 0;

        Assert.Throws<RepositoryCorruptException>(() => Tree.Decode(bytes, "tree 1234"));
    }

    [Fact]
    public void Nodes_out_of_order_or_repeated_are_rejected()
    {
        var a = NodeBytes(new TreeNode { Name = [0x61], Type = NodeType.Fifo });
        var b = NodeBytes(new TreeNode { Name = [0x62], Type = NodeType.Fifo });

        Assert.Throws<RepositoryCorruptException>(() => Tree.Decode(Join(b, a), "tree test"));
        Assert.Throws<RepositoryCorruptException>(() => Tree.Decode(Join(a, a), "tree test"));
        Assert.Equal(2, Tree.Decode(Join(a, b), "tree test").Nodes.Count);
    }

    [Fact]
    public void Empty_names_unknown_types_and_too_many_nanoseconds_are_rejected()
    {
        var node = new TreeNode { Name = [0x61], Type = NodeType.Socket };
        var valid = new Tree([node]).Encode();
        // version(1) count(4) | type(1) name length(2) name(1) mode uid gid(12) user(2) group(2) mtime seconds(8) nanos
        const int typeAt = 5, nameLengthAt = 6, mtimeNanosAt = 5 + 1 + 2 + 1 + 12 + 2 + 2 + 8;

        foreach (var badType in new byte[] { 0, 8, 255 })
        {
            var bytes = valid.ToArray();
            bytes[typeAt] = badType;
            Assert.Contains("node type", Assert.Throws<RepositoryCorruptException>(() => Tree.Decode(bytes, "t")).Problem, StringComparison.Ordinal);
        }

        var nanos = valid.ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(nanos.AsSpan(mtimeNanosAt), 1_000_000_000);
        Assert.Contains("nanoseconds", Assert.Throws<RepositoryCorruptException>(() => Tree.Decode(nanos, "t")).Problem, StringComparison.Ordinal);

        var emptyName = new Tree([node with { Name = [] }]).Encode();
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(emptyName.AsSpan(nameLengthAt)));
        Assert.Contains("empty name", Assert.Throws<RepositoryCorruptException>(() => Tree.Decode(emptyName, "t")).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_name_that_is_not_UTF8_is_rejected()
    {
        var bytes = new Tree([new TreeNode { Name = [0x61], Type = NodeType.Fifo, User = "ab" }]).Encode();
        var userAt = bytes.AsSpan().IndexOf("ab"u8);
        bytes[userAt] = 0xff;

        Assert.Throws<RepositoryCorruptException>(() => Tree.Decode(bytes, "t"));
    }

    private static void AssertValid(Tree tree, byte[] input)
    {
        for (var i = 0; i < tree.Nodes.Count; i++)
        {
            var n = tree.Nodes[i];
            Assert.NotEmpty(n.Name);
            Assert.True(Enum.IsDefined(n.Type));
            Assert.All(new[] { n.ModifyTime, n.AccessTime, n.ChangeTime }, t => Assert.True(t.Nanoseconds < 1_000_000_000));
            Assert.True(n.Type == NodeType.File || n.Content.Count == 0);
            Assert.True(n.Type == NodeType.Directory || n.Subtree.IsEmpty);
            Assert.True(i == 0 || tree.Nodes[i - 1].Name.AsSpan().SequenceCompareTo(n.Name) < 0, "nodes are not strictly sorted");
        }

        // The encoding is canonical: whatever decodes encodes back to exactly the bytes it came from.
        Assert.Equal(input, tree.Encode());
    }

    private static byte[] NodeBytes(TreeNode node) => new Tree([node]).Encode()[5..];

    private static byte[] Join(byte[] first, byte[] second)
    {
        var header = new byte[5];
        header[0] = Tree.Version;
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(1), 2);
        return [.. header, .. first, .. second];
    }
}
