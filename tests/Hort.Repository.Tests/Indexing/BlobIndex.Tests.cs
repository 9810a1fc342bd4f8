using System.Buffers.Binary;
using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;

namespace Hort.Repository.Tests.Indexing;

public sealed partial class BlobIndexTests
{
    [Fact]
    public void A_blob_is_found_with_every_field_of_its_entry_and_its_pack()
    {
        var index = new BlobIndex();
        var pack = Id(1_000_000);
        var data = new PackEntry(BlobType.Data, CompressionKind.Zstd, 4096, 70_000, 1_048_576, Id(1));
        var tree = new PackEntry(BlobType.Tree, CompressionKind.None, uint.MaxValue - 10, 7, uint.MaxValue, Id(2));

        index.AddPack(pack, 123_456_789_012, [data, tree]);

        Assert.True(index.TryGet(data.Id, out var a));
        Assert.Equal(new BlobLocation(pack, data), a);
        Assert.True(index.TryGet(tree.Id, out var b));
        Assert.Equal(new BlobLocation(pack, tree), b);
        Assert.False(index.TryGet(Id(3), out _));
        Assert.False(index.Contains(Id(3)));
        Assert.Equal([(pack, 123_456_789_012L)], index.Packs());
    }

    [Fact]
    public void The_table_grows_and_keeps_every_blob_findable_in_order()
    {
        var index = new BlobIndex();
        const int packs = 400;
        const int perPack = 500;
        for (var p = 0; p < packs; p++)
        {
            index.AddPack(Id(10_000_000 + p), p, Entries(p * perPack, perPack));
        }

        Assert.Equal(packs * perPack, index.Count);
        for (var i = 0; i < packs * perPack; i++)
        {
            Assert.True(index.TryGet(Id(i), out var location));
            Assert.Equal(Id(10_000_000 + (i / perPack)), location.PackId);
            Assert.Equal(Entry(i), location.Entry);
        }

        for (var i = packs * perPack; i < (packs * perPack) + 10_000; i++)
        {
            Assert.False(index.Contains(Id(i)));
        }

        var all = index.Blobs();
        Assert.Equal(packs * perPack, all.Count);
        for (var i = 0; i < all.Count; i++)
        {
            Assert.Equal(Entry(i), all[i].Entry);
        }
    }

    [Fact]
    public void A_blob_in_several_packs_counts_once_and_stays_in_the_first()
    {
        var index = new BlobIndex();
        var first = Id(500);
        var second = Id(501);

        index.AddPack(first, 1000, Entries(0, 10));
        index.AddPack(second, 2000, Entries(5, 10));
        index.AddPack(first, 1000, Entries(0, 10));

        Assert.Equal(15, index.Count);
        Assert.Equal(2, index.PackCount);
        Assert.True(index.TryGet(Id(7), out var seven));
        Assert.Equal(first, seven.PackId);
        Assert.True(index.TryGet(Id(12), out var twelve));
        Assert.Equal(second, twelve.PackId);
        Assert.Equal(15, index.Blobs().Count);
    }

    [Fact]
    public void Duplicates_within_one_pack_count_once()
    {
        var index = new BlobIndex();
        var entry = Entry(3);

        index.AddPack(Id(99), 10, [entry, entry, entry]);

        Assert.Equal(1, index.Count);
        Assert.True(index.Contains(entry.Id));
    }

    [Fact]
    public void Many_packs_keep_their_ordinals_lengths_and_order()
    {
        var index = new BlobIndex();
        const int packs = 20_000;
        for (var p = 0; p < packs; p++)
        {
            index.AddPack(Id(1_000_000 + p), 100 + p, p % 3 == 0 ? [] : Entries(p * 2, 2));
        }

        Assert.Equal(packs, index.PackCount);
        var listed = index.Packs();
        for (var p = 0; p < packs; p++)
        {
            Assert.Equal((Id(1_000_000 + p), 100L + p), listed[p]);
            Assert.True(index.ContainsPack(Id(1_000_000 + p)));
        }

        Assert.False(index.ContainsPack(Id(5)));
        Assert.True(index.TryGet(Id((packs - 1) * 2), out var last));
        Assert.Equal(Id(1_000_000 + packs - 1), last.PackId);
    }

    [Fact]
    public void Ids_that_differ_only_in_their_last_bytes_spread_over_the_table()
    {
        var index = new BlobIndex();
        var entries = new List<PackEntry>();
        for (var i = 0; i < 50_000; i++)
        {
            var bytes = new byte[ObjectId.Size];
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(28), i);
            entries.Add(new PackEntry(BlobType.Data, CompressionKind.None, 0, 1, 1, new ObjectId(bytes)));
        }

        index.AddPack(Id(1), 1, entries);

        Assert.Equal(entries.Count, index.Count);
        Assert.All(entries, e => Assert.True(index.Contains(e.Id)));
    }

    [Fact]
    public void An_entry_of_unknown_type_is_refused()
    {
        var index = new BlobIndex();

        Assert.Throws<ArgumentException>(() =>
            index.AddPack(Id(1), 1, [new PackEntry((BlobType)9, CompressionKind.None, 0, 1, 1, Id(2))]));
    }

    [Fact]
    public async Task Readers_see_consistent_blobs_while_a_writer_adds_packs()
    {
        var index = new BlobIndex();
        const int packs = 200;
        const int perPack = 100;
        var writer = Task.Run(() =>
        {
            for (var p = 0; p < packs; p++)
            {
                index.AddPack(Id(9_000_000 + p), p, Entries(p * perPack, perPack));
            }
        }, TestContext.Current.CancellationToken);

        var seen = 0;
        while (!writer.IsCompleted || seen < packs * perPack)
        {
            var count = index.Count;
            for (var i = Math.Max(0, count - 50); i < count; i++)
            {
                Assert.True(index.TryGet(Id(i), out var location));
                Assert.Equal(Entry(i), location.Entry);
            }

            seen = count;
        }

        await writer;
        Assert.Equal(packs * perPack, index.Count);
    }

    private static ObjectId Id(int n)
    {
        var bytes = new byte[ObjectId.Size];
        BinaryPrimitives.WriteInt32BigEndian(bytes, n);
        bytes[31] = 0x5a;
        return new ObjectId(bytes);
    }

    private static PackEntry Entry(int n) =>
        new(n % 7 == 0 ? BlobType.Tree : BlobType.Data, n % 2 == 0 ? CompressionKind.Zstd : CompressionKind.None,
            (uint)n * 3, (uint)n + 40, (uint)n * 2, Id(n));

    private static PackEntry[] Entries(int first, int count) =>
        Enumerable.Range(first, count).Select(Entry).ToArray();
}
