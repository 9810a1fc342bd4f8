using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Repository.Packs;
using Hort.Repository.Tests.RepositoryApi;
using Hort.Storage;

namespace Hort.Repository.Tests.Packs;

/// <summary>
/// A pack streamed to a staged put is the pack <see cref="PackWriter"/> builds in memory from the same envelopes, byte
/// for byte but for the header envelope, which is encrypted under a fresh random salt every time (as two in-memory
/// packs of the same blobs differ there too): its length, its plaintext and the trailer are the same.
/// </summary>
public sealed class StreamingPackWriterTests : IDisposable
{
    private readonly MasterKey _key = new(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray());
    private readonly BlobCodec _codec;
    private readonly TemporaryDirectory _directory = new();
    private readonly LocalDirectoryBlobStore _store;

    public StreamingPackWriterTests()
    {
        _codec = new BlobCodec(_key);
        _store = LocalDirectoryBlobStore.Create(Path.Combine(_directory.Path, "repo"));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record SealedBlob(BlobType Type, ObjectId Id, CompressionKind Compression, uint RawLength, byte[] Envelope);

    [Fact]
    public void A_streamed_pack_has_the_bytes_name_and_entries_of_the_same_pack_built_in_memory()
    {
        var packs = PackRoundtripTests.Blobs.ListOf().Select(l => l.ToList()).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), Prop.ForAll(packs, specs =>
        {
            // Sealing draws a random salt, so both writers get the same envelopes.
            var blobs = specs.Select(Seal).ToList();
            using var inMemory = new PackWriter(_codec);
            using var streaming = new StreamingPackWriter(_codec, _store);
            foreach (var blob in blobs)
            {
                var expected = inMemory.AddSealed(blob.Type, blob.Id, blob.Compression, blob.RawLength, blob.Envelope);
                Assert.Equal(expected, streaming.AddSealed(blob.Type, blob.Id, blob.Compression, blob.RawLength, blob.Envelope));
                Assert.Equal(inMemory.FinishedLength, streaming.FinishedLength);
            }

            using var built = inMemory.Finish();
            using var staged = streaming.Finish();
            staged.CommitAsync(Ct).GetAwaiter().GetResult();

            AssertSamePack(built, staged, _store.GetAsync(BlobName.For(BlobKind.Pack, staged.Id), Ct).GetAwaiter().GetResult());
        }));
    }

    [Fact]
    public async Task An_empty_streamed_pack_is_the_empty_pack()
    {
        using var inMemory = new PackWriter(_codec);
        using var streaming = new StreamingPackWriter(_codec, _store);

        using var built = inMemory.Finish();
        using var staged = streaming.Finish();
        await staged.CommitAsync(Ct);

        AssertSamePack(built, staged, await _store.GetAsync(BlobName.For(BlobKind.Pack, staged.Id), Ct));
    }

    [Fact]
    public async Task A_pack_abandoned_before_or_after_it_is_finished_leaves_nothing()
    {
        var blob = Seal(new PackRoundtripTests.BlobSpec(BlobType.Data, PackRoundtripTests.MakeBytes(5000, 1, compressible: false), false));
        using (var unfinished = new StreamingPackWriter(_codec, _store))
        {
            unfinished.AddSealed(blob.Type, blob.Id, blob.Compression, blob.RawLength, blob.Envelope);
        }

        var finishing = new StreamingPackWriter(_codec, _store);
        finishing.AddSealed(blob.Type, blob.Id, blob.Compression, blob.RawLength, blob.Envelope);
        var staged = finishing.Finish();
        finishing.Dispose();
        staged.Dispose();

        Assert.Empty(Directory.EnumerateFiles(_store.RootPath, "*", SearchOption.AllDirectories));
        await foreach (var unused in _store.ListAsync(BlobKind.Pack, Ct))
        {
            Assert.Fail("an abandoned pack was stored");
        }
    }

    [Fact]
    public void A_pack_of_a_store_that_cannot_take_it_fails_as_the_store_does()
    {
        var store = new FaultInjectingBlobStore(
            _store, new FaultInjectionOptions { CountedOperations = BlobOperations.Write, FailAt = 2, Fault = InjectedFault.StorageFull });
        var blob = Seal(new PackRoundtripTests.BlobSpec(BlobType.Tree, PackRoundtripTests.MakeBytes(300, 2, compressible: true), false));
        using var writer = new StreamingPackWriter(_codec, store);

        Assert.Throws<StorageFullException>(() => writer.AddSealed(blob.Type, blob.Id, blob.Compression, blob.RawLength, blob.Envelope));

        Assert.Empty(Directory.EnumerateFiles(_store.RootPath, "*", SearchOption.AllDirectories));
    }

    /// <summary>
    /// The stored pack is named by its SHA-256, has the in-memory pack's length, blobs and trailer, and a header envelope
    /// that opens to the same entries.
    /// </summary>
    private void AssertSamePack(FinishedPack built, StagedPack staged, byte[] stored)
    {
        var expected = built.Content.ToArray();
        var header = PackWriter.TrailerLength(built.Entries.Count) - 4;
        Assert.Equal(built.Length, staged.Length);
        Assert.Equal(expected.Length, stored.Length);
        Assert.Equal(expected[..^(header + 4)], stored[..^(header + 4)]);
        Assert.Equal(expected[^4..], stored[^4..]);
        Assert.Equal(built.Entries, staged.Entries);
        Assert.Equal(built.Entries, PackReader.ParseWholePack(_codec.Cipher, staged.Id, stored));
    }

    private SealedBlob Seal(PackRoundtripTests.BlobSpec spec)
    {
        var id = _key.ComputeChunkId(spec.Raw);
        var envelope = new byte[BlobCodec.MaxStoredLength(spec.Raw.Length)];
        var length = _codec.Seal(spec.Type, id, spec.Raw, envelope, out var compression);
        return new SealedBlob(spec.Type, id, compression, (uint)spec.Raw.Length, envelope[..length]);
    }

    public void Dispose()
    {
        _key.Dispose();
        _directory.Dispose();
    }
}
