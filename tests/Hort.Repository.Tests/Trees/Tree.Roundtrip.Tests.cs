using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Trees;

namespace Hort.Repository.Tests.Trees;

public sealed class TreeRoundtripTests
{
    [Fact]
    public void Encode_then_Decode_gives_back_every_node_and_field()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(TreeGen.NodeLists.ToArbitrary(), nodes =>
        {
            var tree = new Tree(nodes);
            var bytes = tree.Encode();

            var decoded = Tree.Decode(bytes, "tree test");

            Assert.Equal(tree.Nodes.Count, decoded.Nodes.Count);
            for (var i = 0; i < tree.Nodes.Count; i++)
            {
                TreeGen.AssertSameNode(tree.Nodes[i], decoded.Nodes[i]);
            }

            Assert.Equal(bytes, decoded.Encode());
        }));
    }

    [Fact]
    public void Nodes_come_out_sorted_by_unsigned_name_bytes_whatever_order_they_went_in()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(TreeGen.NodeLists.ToArbitrary(), nodes =>
        {
            var decoded = Tree.Decode(new Tree(nodes).Encode(), "tree test");

            var expected = nodes.Select(n => n.Name).OrderBy(n => n, ByteOrder.Instance).ToList();
            Assert.Equal(expected, decoded.Nodes.Select(n => n.Name).ToList());
            foreach (var node in nodes)
            {
                Assert.Same(decoded.Find(node.Name), decoded.Nodes.Single(n => n.Name.AsSpan().SequenceEqual(node.Name)));
            }
        }));
    }

    [Fact]
    public void Extreme_values_survive()
    {
        var node = new TreeNode
        {
            Name = [0xff, 0xfe, 0x00, 0x2f],
            Type = NodeType.File,
            Mode = uint.MaxValue,
            Uid = uint.MaxValue,
            Gid = 0,
            User = "\U0001F600 ü",
            ModifyTime = new Timestamp(long.MinValue, 999_999_999),
            AccessTime = new Timestamp(-1, 999_999_999),
            ChangeTime = new Timestamp(long.MaxValue, 0),
            Inode = ulong.MaxValue,
            Device = ulong.MaxValue,
            LinkCount = uint.MaxValue,
            DeviceNumber = ulong.MaxValue,
            Size = ulong.MaxValue,
            ExtendedAttributes = [new ExtendedAttribute([], []), new ExtendedAttribute(new byte[ushort.MaxValue], new byte[70_000])],
            Content = Enumerable.Range(0, 1000).Select(i => new ObjectId(Enumerable.Repeat((byte)i, 32).ToArray())).ToArray(),
        };
        var longName = node with { Name = Enumerable.Repeat((byte)'x', ushort.MaxValue).ToArray(), Type = NodeType.Directory, Content = [], Subtree = new ObjectId(new byte[32]) };

        var decoded = Tree.Decode(new Tree([node, longName]).Encode(), "tree test");

        TreeGen.AssertSameNode(node, decoded.Nodes[1]);
        TreeGen.AssertSameNode(longName, decoded.Nodes[0]);
        Assert.Equal(new DateTimeOffset(1969, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999), decoded.Nodes[1].AccessTime.ToDateTimeOffset());
    }

    [Fact]
    public void An_empty_directory_round_trips()
    {
        var decoded = Tree.Decode(new Tree([]).Encode(), "tree test");

        Assert.Empty(decoded.Nodes);
        Assert.Equal([Tree.Version, 0, 0, 0, 0], new Tree([]).Encode());
    }

    [Fact]
    public void A_directory_with_a_name_twice_cannot_be_built()
    {
        var a = new TreeNode { Name = [0x61], Type = NodeType.Fifo };

        Assert.Throws<ArgumentException>(() => new Tree([a, a with { Type = NodeType.Socket }]));
    }

    [Fact]
    public void Only_files_carry_content_and_only_directories_a_subtree()
    {
        var id = new ObjectId(Enumerable.Repeat((byte)9, 32).ToArray());
        foreach (var type in Enum.GetValues<NodeType>())
        {
            var node = new TreeNode { Name = [0x61], Type = type, Content = [id], Subtree = id };

            var decoded = Tree.Decode(new Tree([node]).Encode(), "tree test").Nodes[0];

            Assert.Equal(type == NodeType.File ? [id] : [], decoded.Content);
            Assert.Equal(type == NodeType.Directory ? id : ObjectId.Empty, decoded.Subtree);
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static ByteOrder Instance { get; } = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
