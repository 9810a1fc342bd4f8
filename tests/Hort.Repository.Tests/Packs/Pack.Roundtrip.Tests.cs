using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Repository.Packs;
using Hort.Storage;

namespace Hort.Repository.Tests.Packs;

/// <summary>PackWriter → PackReader (whole pack and header-only) → BlobCodec gives back every blob.</summary>
public sealed class PackRoundtripTests : IDisposable
{
    private readonly MasterKey _key = new(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
    private readonly BlobCodec _codec;

    public PackRoundtripTests()
    {
        _codec = new BlobCodec(_key);
    }

    /// <summary>A finished pack copied out of its pooled buffer.</summary>
    internal sealed record WrittenPack(ObjectId Id, byte[] Content, IReadOnlyList<PackEntry> Entries);

    /// <summary>A blob to store: its type and plaintext (compressible or random).</summary>
    internal sealed record BlobSpec(BlobType Type, byte[] Raw, bool PreSealed);

    internal static Gen<BlobSpec> Blobs { get; } =
        from type in Gen.Elements(BlobType.Data, BlobType.Tree)
        from size in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1, 2000)), (1, Gen.Choose(2000, 70_000)))
        from seed in Gen.Choose(0, int.MaxValue)
        from compressible in Gen.Elements(true, false)
        from preSealed in Gen.Elements(true, false)
        select new BlobSpec(type, MakeBytes(size, seed, compressible), preSealed);

    [Fact]
    public async Task Every_blob_comes_back_from_the_whole_pack_and_from_a_header_read()
    {
        var written = new List<(WrittenPack Pack, List<BlobSpec> Blobs)>();
        var packs = Blobs.ListOf().Select(l => l.ToList()).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(packs, blobs =>
        {
            var pack = Write(blobs, initialCapacity: 64);

            Assert.Equal(new ObjectId(SHA256.HashData(pack.Content)), pack.Id);
            Assert.True(pack.Content.AsSpan(0, 8).SequenceEqual(FormatVersion.PackMagic));
            var parsed = PackReader.ParseWholePack(_codec.Cipher, pack.Id, pack.Content);
            Assert.Equal(pack.Entries, parsed);
            Assert.Equal(blobs.Count, parsed.Count);
            for (var i = 0; i < blobs.Count; i++)
            {
                var entry = parsed[i];
                Assert.Equal(blobs[i].Type, entry.Type);
                Assert.Equal(_key.ComputeChunkId(blobs[i].Raw), entry.Id);
                Assert.Equal((uint)blobs[i].Raw.Length, entry.RawLength);
                Assert.True(entry.StoredLength <= entry.RawLength + ObjectCipher.Overhead, "a stored blob grew by more than the envelope");
                var envelope = pack.Content.AsSpan((int)entry.Offset, (int)entry.StoredLength);
                Assert.Equal(blobs[i].Raw, _codec.Open(envelope, entry, pack.Id));
            }

            written.Add((pack, blobs));
        }));

        var store = new InMemoryBlobStore();
        foreach (var (pack, _) in written)
        {
            await store.PutAsync(BlobName.For(BlobKind.Pack, pack.Id), pack.Content, TestContext.Current.CancellationToken);
            var header = await PackReader.ReadHeaderAsync(store, _codec.Cipher, pack.Id, pack.Content.Length, TestContext.Current.CancellationToken);
            Assert.Equal(pack.Entries, header);
        }
    }

    [Fact]
    public void An_empty_pack_is_valid_and_lists_nothing()
    {
        var pack = Write([], initialCapacity: 1);

        Assert.Equal(PackReader.MinimumLength, pack.Content.Length);
        Assert.Empty(PackReader.ParseWholePack(_codec.Cipher, pack.Id, pack.Content));
    }

    [Fact]
    public void A_blob_opened_as_another_type_or_id_fails_authentication()
    {
        var raw = MakeBytes(500, 7, compressible: true);
        var pack = Write([new BlobSpec(BlobType.Data, raw, false)], 1 << 10);
        var entry = pack.Entries[0];
        var envelope = pack.Content.AsSpan((int)entry.Offset, (int)entry.StoredLength).ToArray();

        var asTree = Assert.Throws<RepositoryCorruptException>(() => _codec.Open(envelope, entry with { Type = BlobType.Tree }, pack.Id));
        var otherId = Assert.Throws<RepositoryCorruptException>(() => _codec.Open(envelope, entry with { Id = _key.ComputeChunkId("other"u8) }, pack.Id));

        Assert.Contains(pack.Id.ToString(), asTree.ObjectName, StringComparison.Ordinal);
        Assert.Contains(entry.Id.ToString(), asTree.ObjectName, StringComparison.Ordinal);
        Assert.Contains("authentication", otherId.Problem, StringComparison.Ordinal);
    }

    private WrittenPack Write(List<BlobSpec> blobs, int initialCapacity)
    {
        using var writer = new PackWriter(_codec, initialCapacity);
        foreach (var blob in blobs)
        {
            var id = _key.ComputeChunkId(blob.Raw);
            if (blob.PreSealed)
            {
                var envelope = new byte[BlobCodec.MaxStoredLength(blob.Raw.Length)];
                var length = _codec.Seal(blob.Type, id, blob.Raw, envelope, out var compression);
                writer.AddSealed(blob.Type, id, compression, (uint)blob.Raw.Length, envelope.AsSpan(0, length));
            }
            else
            {
                writer.Add(blob.Type, id, blob.Raw);
            }
        }

        Assert.Equal(blobs.Count, writer.Count);
        using var finished = writer.Finish();
        Assert.Equal(finished.Length, finished.Content.Length);
        return new WrittenPack(finished.Id, finished.Content.ToArray(), finished.Entries);
    }

    internal static byte[] MakeBytes(int size, int seed, bool compressible)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        if (compressible)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] &= 0x03;
            }
        }

        return bytes;
    }

    public void Dispose() => _key.Dispose();
}
