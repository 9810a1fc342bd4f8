using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Packs;
using Hort.Repository.Tests.Format;

namespace Hort.Repository.Tests.Packs;

public sealed class PackEntryRoundtripTests
{
    internal static Gen<PackEntry> Entries { get; } =
        from type in Gen.Elements(BlobType.Data, BlobType.Tree)
        from compression in Gen.Elements(CompressionKind.None, CompressionKind.Zstd)
        from offset in FormatGen.UInt32
        from stored in FormatGen.UInt32
        from raw in FormatGen.UInt32
        from id in FormatGen.Id
        select new PackEntry(type, compression, offset, stored, raw, id);

    [Fact]
    public void Write_then_Read_gives_back_every_field()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(Entries.ToArbitrary(), entry =>
        {
            var bytes = new byte[PackEntry.Size];
            entry.Write(bytes);

            Assert.Equal(entry, PackEntry.Read(bytes, "test"));
        }));
    }

    [Fact]
    public void Write_fills_exactly_48_bytes_and_leaves_the_rest_alone()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(Entries.ToArbitrary(), entry =>
        {
            var bytes = Enumerable.Repeat((byte)0xa5, PackEntry.Size + 8).ToArray();
            entry.Write(bytes.AsSpan(4, PackEntry.Size));

            Assert.All(bytes[..4], b => Assert.Equal(0xa5, b));
            Assert.All(bytes[^4..], b => Assert.Equal(0xa5, b));
        }));
    }

    [Fact]
    public void Layout_is_type_compression_reserved_then_little_endian_fields_and_the_id()
    {
        var id = new ObjectId(Enumerable.Range(0x20, 32).Select(i => (byte)i).ToArray());
        var entry = new PackEntry(BlobType.Tree, CompressionKind.Zstd, 0x04030201, 0x08070605, 0x0c0b0a09, id);
        var bytes = new byte[PackEntry.Size];

        entry.Write(bytes);

        Assert.Equal(
            "0201" + "0000" + "01020304" + "05060708" + "090a0b0c" + Hex.Encode(id.ToArray()),
            Hex.Encode(bytes));
    }
}
