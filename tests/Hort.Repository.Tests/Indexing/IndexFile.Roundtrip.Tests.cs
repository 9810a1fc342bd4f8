using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;
using Hort.Repository.Tests.Format;
using Hort.Repository.Tests.Packs;

namespace Hort.Repository.Tests.Indexing;

public sealed class IndexFileRoundtripTests
{
    private static readonly ObjectCipher Cipher = new(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    internal static Gen<IndexedPack> Packs { get; } =
        from id in FormatGen.Id
        from entries in PackEntryRoundtripTests.Entries.ListOf().Select(l => l.Take(20).ToArray())
        from extra in Gen.Frequency((3, Gen.Constant(0L)), (2, Gen.Choose(1, 1 << 20).Select(i => (long)i)), (1, Gen.Constant(-1L)))
        select MakePack(id, entries, extra);

    internal static Gen<IndexFile> Files { get; } =
        from supersedes in FormatGen.Id.ListOf()
        from packs in Packs.ListOf()
        select new IndexFile(supersedes.ToArray(), packs.ToArray());

    [Fact]
    public void Seal_then_Open_gives_back_supersedes_packs_lengths_and_entries()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(Files.ToArbitrary(), file =>
        {
            var opened = IndexFile.Open(Cipher, file.Seal(Cipher), "index/test");

            AssertSame(file, opened);
        }));
    }

    [Fact]
    public void An_index_of_nothing_round_trips()
    {
        var opened = IndexFile.Open(Cipher, new IndexFile([], []).Seal(Cipher), "index/test");

        Assert.Empty(opened.Supersedes);
        Assert.Empty(opened.Packs);
    }

    [Fact]
    public void Plaintext_layout_is_supersedes_then_packs_with_their_entries()
    {
        var superseded = new ObjectId(Enumerable.Repeat((byte)0x11, 32).ToArray());
        var packId = new ObjectId(Enumerable.Repeat((byte)0x22, 32).ToArray());
        var entry = new PackEntry(BlobType.Data, Hort.Repository.Compression.CompressionKind.None, 8, 40, 0, new ObjectId(Enumerable.Repeat((byte)0x33, 32).ToArray()));
        var file = new IndexFile([superseded], [new IndexedPack(packId, 100, [entry])]);

        var plain = Cipher.Decrypt(file.Seal(Cipher), FormatVersion.IndexContext, "index/test");

        var entryBytes = new byte[PackEntry.Size];
        entry.Write(entryBytes);
        Assert.Equal(
            "01000000" + new string('1', 64) + "01000000" + new string('2', 64) + "6400000000000000" + "01000000" + Hex.Encode(entryBytes),
            Hex.Encode(plain));
    }

    [Fact]
    public void An_index_sealed_under_another_key_or_context_is_rejected_naming_it()
    {
        var stored = new IndexFile([], []).Seal(Cipher);
        var other = new ObjectCipher(new byte[32]);

        var wrongKey = Assert.Throws<RepositoryCorruptException>(() => IndexFile.Open(other, stored, "index/abcd"));
        var wrongContext = Assert.Throws<RepositoryCorruptException>(
            () => IndexFile.Open(Cipher, Cipher.Encrypt(new byte[8], FormatVersion.SnapshotContext), "index/abcd"));

        Assert.Equal("index/abcd", wrongKey.ObjectName);
        Assert.Equal("index/abcd", wrongContext.ObjectName);
    }

    [Fact]
    public void An_entry_reaching_past_its_pack_is_rejected()
    {
        var entry = new PackEntry(BlobType.Data, Hort.Repository.Compression.CompressionKind.None, 8, 100, 60, default);
        var file = new IndexFile([], [new IndexedPack(default, 107, [entry])]);

        var e = Assert.Throws<RepositoryCorruptException>(() => IndexFile.Open(Cipher, file.Seal(Cipher), "index/abcd"));

        Assert.Contains("outside", e.Problem, StringComparison.Ordinal);
    }

    internal static void AssertSame(IndexFile expected, IndexFile actual)
    {
        Assert.Equal(expected.Supersedes, actual.Supersedes);
        Assert.Equal(expected.Packs.Count, actual.Packs.Count);
        for (var i = 0; i < expected.Packs.Count; i++)
        {
            Assert.Equal(expected.Packs[i].PackId, actual.Packs[i].PackId);
            Assert.Equal(expected.Packs[i].Length, actual.Packs[i].Length);
            Assert.Equal(expected.Packs[i].Entries, actual.Packs[i].Entries);
        }
    }

    /// <summary>A pack just long enough for its entries, plus <paramref name="extra"/> bytes (-1: the largest length).</summary>
    private static IndexedPack MakePack(ObjectId id, PackEntry[] entries, long extra)
    {
        var end = entries.Length == 0 ? 0 : entries.Max(e => (long)e.Offset + e.StoredLength);
        return new IndexedPack(id, extra < 0 ? long.MaxValue : end + extra, entries);
    }
}
