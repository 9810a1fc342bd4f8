using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Tests.Format;
using Hort.Repository.Trees;

namespace Hort.Repository.Tests.Trees;

/// <summary>Generators of tree nodes of every type, with raw byte names, and a deep comparison of nodes.</summary>
internal static class TreeGen
{
    /// <summary>Names: plain ASCII, arbitrary bytes (mostly not UTF-8), and a few awkward fixed ones.</summary>
    public static Gen<byte[]> Names { get; } = Gen.Frequency(
        (3, Gen.Elements("abcdefghijklmnopqrstuvwxyz0123456789._- ".ToCharArray()).NonEmptyListOf()
            .Select(chars => NameText.FromText(new string(chars.Take(60).ToArray())))),
        (3, FormatGen.Bytes(1, 64)),
        (1, Gen.Elements<byte[]>([0xff], [0x80], [0xc3], [0xc3, 0xa9], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x2e], [0x2e, 0x2e], [0x20], [0x5c])));

    public static Gen<Timestamp> Times { get; } =
        from seconds in FormatGen.Int64
        from nanos in Gen.Frequency((1, Gen.Elements(0u, 1u, 999_999_999u)), (3, Gen.Choose(0, 999_999_999).Select(n => (uint)n)))
        select new Timestamp(seconds, nanos);

    public static Gen<ExtendedAttribute> Xattrs { get; } =
        from name in Gen.Frequency((1, Gen.Constant(NameText.FromText("user.comment"))), (3, FormatGen.Bytes(0, 40)))
        from value in FormatGen.Bytes(0, 300)
        select new ExtendedAttribute(name, value);

    public static Gen<TreeNode> Nodes { get; } =
        from type in Gen.Elements(Enum.GetValues<NodeType>())
        from name in Names
        from mode in FormatGen.UInt32
        from uid in FormatGen.UInt32
        from gid in FormatGen.UInt32
        from user in FormatGen.Text
        from groupName in FormatGen.Text
        from mtime in Times
        from atime in Times
        from ctime in Times
        from inode in FormatGen.UInt64
        from device in FormatGen.UInt64
        from links in FormatGen.UInt32
        from rdev in FormatGen.UInt64
        from size in FormatGen.UInt64
        from target in type == NodeType.Symlink ? FormatGen.Bytes(1, 200) : Gen.Frequency((5, Gen.Constant(Array.Empty<byte>())), (1, FormatGen.Bytes(1, 10)))
        from xattrs in Xattrs.ListOf().Select(l => l.Take(6).ToArray())
        from content in type == NodeType.File ? FormatGen.Id.ListOf().Select(l => (IReadOnlyList<ObjectId>)l.Take(12).ToArray()) : Gen.Constant<IReadOnlyList<ObjectId>>([])
        from subtree in type == NodeType.Directory ? FormatGen.Id : Gen.Constant(ObjectId.Empty)
        select new TreeNode
        {
            Name = name, Type = type, Mode = mode, Uid = uid, Gid = gid, User = user, Group = groupName,
            ModifyTime = mtime, AccessTime = atime, ChangeTime = ctime, Inode = inode, Device = device, LinkCount = links,
            DeviceNumber = rdev, Size = size, LinkTarget = target, ExtendedAttributes = xattrs, Content = content, Subtree = subtree,
        };

    /// <summary>Lists of nodes with distinct names (a directory cannot hold one name twice).</summary>
    public static Gen<List<TreeNode>> NodeLists { get; } = Nodes.ListOf()
        .Select(nodes => nodes.Take(40).DistinctBy(n => Hex.Encode(n.Name)).ToList());

    public static void AssertSameNode(TreeNode expected, TreeNode actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.Mode, actual.Mode);
        Assert.Equal(expected.Uid, actual.Uid);
        Assert.Equal(expected.Gid, actual.Gid);
        Assert.Equal(expected.User, actual.User);
        Assert.Equal(expected.Group, actual.Group);
        Assert.Equal(expected.ModifyTime, actual.ModifyTime);
        Assert.Equal(expected.AccessTime, actual.AccessTime);
        Assert.Equal(expected.ChangeTime, actual.ChangeTime);
        Assert.Equal(expected.Inode, actual.Inode);
        Assert.Equal(expected.Device, actual.Device);
        Assert.Equal(expected.LinkCount, actual.LinkCount);
        Assert.Equal(expected.DeviceNumber, actual.DeviceNumber);
        Assert.Equal(expected.Size, actual.Size);
        Assert.Equal(expected.LinkTarget, actual.LinkTarget);
        Assert.Equal(expected.ExtendedAttributes.Count, actual.ExtendedAttributes.Count);
        for (var i = 0; i < expected.ExtendedAttributes.Count; i++)
        {
            Assert.Equal(expected.ExtendedAttributes[i].Name, actual.ExtendedAttributes[i].Name);
            Assert.Equal(expected.ExtendedAttributes[i].Value, actual.ExtendedAttributes[i].Value);
        }

        Assert.Equal(expected.Content, actual.Content);
        Assert.Equal(expected.Subtree, actual.Subtree);
    }
}
