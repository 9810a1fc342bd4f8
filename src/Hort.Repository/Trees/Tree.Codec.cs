using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Hort.Core;
using Hort.Repository.Format;

namespace Hort.Repository.Trees;

public sealed partial class Tree
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>Encodes the tree (all integers little-endian; layout in docs/design/repository-format.md).</summary>
    public byte[] Encode()
    {
        var w = new ArrayBufferWriter<byte>(256 + (Nodes.Count * 160));
        Put(w, Version);
        PutU32(w, (uint)Nodes.Count);
        foreach (var n in Nodes)
        {
            Put(w, (byte)n.Type);
            PutBytes16(w, n.Name);
            PutU32(w, n.Mode);
            PutU32(w, n.Uid);
            PutU32(w, n.Gid);
            PutBytes16(w, Encoding.UTF8.GetBytes(n.User));
            PutBytes16(w, Encoding.UTF8.GetBytes(n.Group));
            PutTime(w, n.ModifyTime);
            PutTime(w, n.AccessTime);
            PutTime(w, n.ChangeTime);
            PutU64(w, n.Inode);
            PutU64(w, n.Device);
            PutU32(w, n.LinkCount);
            PutU64(w, n.DeviceNumber);
            PutU64(w, n.Size);
            PutU32(w, (uint)n.LinkTarget.Length);
            w.Write(n.LinkTarget);
            PutU16(w, checked((ushort)n.ExtendedAttributes.Count));
            foreach (var x in n.ExtendedAttributes)
            {
                PutBytes16(w, x.Name);
                PutU32(w, (uint)x.Value.Length);
                w.Write(x.Value);
            }

            switch (n.Type)
            {
                case NodeType.File:
                    PutU32(w, (uint)n.Content.Count);
                    foreach (var id in n.Content)
                    {
                        id.WriteTo(w.GetSpan(ObjectId.Size));
                        w.Advance(ObjectId.Size);
                    }

                    break;
                case NodeType.Directory:
                    n.Subtree.WriteTo(w.GetSpan(ObjectId.Size));
                    w.Advance(ObjectId.Size);
                    break;
            }
        }

        return w.WrittenSpan.ToArray();
    }

    /// <summary>Decodes and validates a tree; anything malformed is reported as corruption of <paramref name="objectName"/>.</summary>
    public static Tree Decode(ReadOnlySpan<byte> data, string objectName)
    {
        var r = new SpanReader(data, objectName);
        var version = r.ReadByte();
        if (version == 0)
        {
            throw new RepositoryCorruptException(objectName, "tree has no valid version");
        }

        if (version != Version)
        {
            throw new UnsupportedFormatException($"{objectName}: tree format version {version}; this hort reads version {Version} — upgrade hort");
        }

        var count = r.ReadCount(64);
        var nodes = new TreeNode[count];
        for (var i = 0; i < count; i++)
        {
            var type = (NodeType)r.ReadByte();
            if (type is < NodeType.File or > NodeType.Socket)
            {
                throw new RepositoryCorruptException(objectName, $"unknown node type {(byte)type}");
            }

            var name = r.ReadBytes(r.ReadUInt16()).ToArray();
            if (name.Length == 0)
            {
                throw new RepositoryCorruptException(objectName, "a node has an empty name");
            }

            var mode = r.ReadUInt32();
            var uid = r.ReadUInt32();
            var gid = r.ReadUInt32();
            var user = Text(r.ReadBytes(r.ReadUInt16()), objectName);
            var group = Text(r.ReadBytes(r.ReadUInt16()), objectName);
            var mtime = ReadTime(ref r, objectName);
            var atime = ReadTime(ref r, objectName);
            var ctime = ReadTime(ref r, objectName);
            var inode = r.ReadUInt64();
            var device = r.ReadUInt64();
            var links = r.ReadUInt32();
            var rdev = r.ReadUInt64();
            var size = r.ReadUInt64();
            var linkTarget = r.ReadBytes((int)Math.Min(r.ReadUInt32(), int.MaxValue)).ToArray();
            var xattrCount = r.ReadUInt16();
            var xattrs = new ExtendedAttribute[xattrCount];
            for (var x = 0; x < xattrCount; x++)
            {
                var xname = r.ReadBytes(r.ReadUInt16()).ToArray();
                var xvalue = r.ReadBytes((int)Math.Min(r.ReadUInt32(), int.MaxValue)).ToArray();
                xattrs[x] = new ExtendedAttribute(xname, xvalue);
            }

            IReadOnlyList<ObjectId> content = [];
            var subtree = ObjectId.Empty;
            if (type == NodeType.File)
            {
                var chunks = r.ReadCount(ObjectId.Size);
                var ids = new ObjectId[chunks];
                for (var c = 0; c < chunks; c++)
                {
                    ids[c] = r.ReadId();
                }

                content = ids;
            }
            else if (type == NodeType.Directory)
            {
                subtree = r.ReadId();
            }

            nodes[i] = new TreeNode
            {
                Name = name, Type = type, Mode = mode, Uid = uid, Gid = gid, User = user, Group = group,
                ModifyTime = mtime, AccessTime = atime, ChangeTime = ctime, Inode = inode, Device = device,
                LinkCount = links, DeviceNumber = rdev, Size = size, LinkTarget = linkTarget,
                ExtendedAttributes = xattrs, Content = content, Subtree = subtree,
            };

            if (i > 0 && nodes[i - 1].Name.AsSpan().SequenceCompareTo(name) >= 0)
            {
                throw new RepositoryCorruptException(objectName, "tree nodes are not sorted by name or a name repeats");
            }
        }

        r.ExpectEnd();
        return new Tree(nodes, true);
    }

    private static string Text(ReadOnlySpan<byte> bytes, string objectName)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new RepositoryCorruptException(objectName, "a user or group name is not valid UTF-8", e);
        }
    }

    private static Timestamp ReadTime(ref SpanReader r, string objectName)
    {
        var seconds = r.ReadInt64();
        var nanos = r.ReadUInt32();
        if (nanos >= 1_000_000_000)
        {
            throw new RepositoryCorruptException(objectName, "a timestamp has more than 999999999 nanoseconds");
        }

        return new Timestamp(seconds, nanos);
    }

    private static void Put(ArrayBufferWriter<byte> w, byte value)
    {
        w.GetSpan(1)[0] = value;
        w.Advance(1);
    }

    private static void PutU16(ArrayBufferWriter<byte> w, ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(w.GetSpan(2), value);
        w.Advance(2);
    }

    private static void PutU32(ArrayBufferWriter<byte> w, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(w.GetSpan(4), value);
        w.Advance(4);
    }

    private static void PutU64(ArrayBufferWriter<byte> w, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(w.GetSpan(8), value);
        w.Advance(8);
    }

    private static void PutTime(ArrayBufferWriter<byte> w, Timestamp t)
    {
        BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), t.Seconds);
        w.Advance(8);
        PutU32(w, t.Nanoseconds);
    }

    private static void PutBytes16(ArrayBufferWriter<byte> w, ReadOnlySpan<byte> bytes)
    {
        PutU16(w, checked((ushort)bytes.Length));
        w.Write(bytes);
    }
}
