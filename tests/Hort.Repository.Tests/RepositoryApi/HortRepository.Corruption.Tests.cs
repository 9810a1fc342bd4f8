using Hort.Core;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Tests.Checking;
using Hort.Storage;

namespace Hort.Repository.Tests.RepositoryApi;

/// <summary>Damage made on disk, as a failing drive or a careless hand would, seen through the repository API.</summary>
public sealed class HortRepositoryCorruptionTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();
    private readonly LocalDirectoryBlobStore _store;

    public HortRepositoryCorruptionTests()
    {
        _store = LocalDirectoryBlobStore.Create(System.IO.Path.Combine(_directory.Path, "repo"));
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_truncated_pack_fails_only_the_blobs_it_cut_naming_the_pack()
    {
        var sample = await SampleRepository.CreateAsync(_store);
        using var repository = await TestRepository.OpenAsync(_store);
        var blobs = BlobsOf(repository, sample.DataPacks["α"]);
        var last = blobs[^1];
        var pack = BlobName.For(BlobKind.Pack, last.PackId);

        using (var file = new FileStream(_store.PathOf(pack), FileMode.Open, FileAccess.Write))
        {
            file.SetLength(last.Entry.Offset + (last.Entry.StoredLength / 2));
        }

        var e = await Assert.ThrowsAsync<RepositoryCorruptException>(() => repository.LoadBlobAsync(BlobType.Data, last.Entry.Id, Ct));
        Assert.Equal(pack.ToString(), e.ObjectName);
        Assert.Contains("truncated", e.Problem, StringComparison.Ordinal);
        foreach (var intact in blobs.SkipLast(1))
        {
            Assert.Equal(PlaintextOf(sample, intact.Entry.Id), await repository.LoadBlobAsync(BlobType.Data, intact.Entry.Id, Ct));
        }
    }

    [Fact]
    public async Task A_flipped_bit_fails_only_the_blob_it_hit_naming_the_blob_and_its_pack()
    {
        var sample = await SampleRepository.CreateAsync(_store);
        var random = new Random(7);
        foreach (var packName in new[] { "α", "β" })
        {
            using var repository = await TestRepository.OpenAsync(_store);
            var blobs = BlobsOf(repository, sample.DataPacks[packName]);
            foreach (var hit in blobs)
            {
                var path = _store.PathOf(BlobName.For(BlobKind.Pack, hit.PackId));
                var original = await File.ReadAllBytesAsync(path, Ct);
                var damaged = original.ToArray();
                var bit = (hit.Entry.Offset * 8L) + random.NextInt64(hit.Entry.StoredLength * 8L);
                damaged[bit / 8] ^= (byte)(1 << (int)(bit % 8));
                await File.WriteAllBytesAsync(path, damaged, Ct);

                var e = await Assert.ThrowsAsync<RepositoryCorruptException>(() => repository.LoadBlobAsync(BlobType.Data, hit.Entry.Id, Ct));
                Assert.Contains(hit.Entry.Id.ToString(), e.ObjectName, StringComparison.Ordinal);
                Assert.Contains(hit.PackId.ToString(), e.ObjectName, StringComparison.Ordinal);
                foreach (var other in blobs.Where(b => b.Entry.Id != hit.Entry.Id))
                {
                    Assert.Equal(PlaintextOf(sample, other.Entry.Id), await repository.LoadBlobAsync(BlobType.Data, other.Entry.Id, Ct));
                }

                await File.WriteAllBytesAsync(path, original, Ct);
            }
        }
    }

    [Fact]
    public async Task A_blob_loaded_in_its_stored_form_is_its_zstd_frame_or_its_verified_plaintext_and_damage_fails_it()
    {
        using var repository = await TestRepository.InitAsync(_store);
        var text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("minutes of the meeting; ", 4000)));
        var noise = new byte[64 * 1024];
        new Random(3).NextBytes(noise);
        using (var writer = new BlobWriter(repository))
        {
            await writer.SaveAsync(BlobType.Data, repository.ComputeId(text), text, Ct);
            await writer.SaveAsync(BlobType.Data, repository.ComputeId(noise), noise, Ct);
            await writer.FlushAsync(Ct);
        }

        var (frame, compressed) = await repository.LoadStoredBlobAsync(BlobType.Data, repository.ComputeId(text), Ct);
        Assert.Equal(Hort.Repository.Compression.CompressionKind.Zstd, compressed);
        Assert.True(frame.Length < text.Length / 10, $"{frame.Length} bytes for {text.Length}");
        var decoded = new byte[text.Length];
        Assert.Equal(text.Length, Hort.Repository.Compression.Zstd.Decompress(frame, decoded));
        Assert.Equal(text, decoded);

        var (plain, asIs) = await repository.LoadStoredBlobAsync(BlobType.Data, repository.ComputeId(noise), Ct);
        Assert.Equal(Hort.Repository.Compression.CompressionKind.None, asIs);
        Assert.Equal(noise, plain);

        // A flipped bit in the stored frame fails decryption: damage never passes on as data.
        Assert.True(repository.Index.TryGet(repository.ComputeId(text), out var location));
        var path = _store.PathOf(BlobName.For(BlobKind.Pack, location.PackId));
        var damaged = await File.ReadAllBytesAsync(path, Ct);
        damaged[location.Entry.Offset + (location.Entry.StoredLength / 2)] ^= 0x10;
        await File.WriteAllBytesAsync(path, damaged, Ct);
        var e = await Assert.ThrowsAsync<RepositoryCorruptException>(() => repository.LoadStoredBlobAsync(BlobType.Data, repository.ComputeId(text), Ct));
        Assert.Contains("authentication failed", e.Problem, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RepositoryCorruptException>(() => repository.LoadStoredBlobAsync(BlobType.Tree, repository.ComputeId(text), Ct));
    }

    [Fact]
    public async Task A_missing_pack_is_named_when_a_blob_in_it_is_loaded()
    {
        var sample = await SampleRepository.CreateAsync(_store);
        using var repository = await TestRepository.OpenAsync(_store);
        var pack = BlobName.For(BlobKind.Pack, sample.DataPacks["γ"]);
        await _store.DeleteAsync(pack, Ct);

        var e = await Assert.ThrowsAsync<RepositoryCorruptException>(() => repository.LoadBlobAsync(BlobType.Data, sample.Chunks["B"], Ct));

        Assert.Equal(pack.ToString(), e.ObjectName);
        Assert.Contains("missing", e.Problem, StringComparison.Ordinal);
        Assert.Contains(sample.Chunks["B"].ToString(), e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_any_index_the_repository_opens_reports_missing_data_and_adoption_recovers_everything()
    {
        var sample = await SampleRepository.CreateAsync(_store);
        var packs = await TestRepository.ListAsync(_store, BlobKind.Pack);
        foreach (var index in await TestRepository.ListAsync(_store, BlobKind.Index))
        {
            File.Delete(_store.PathOf(index.Name));
        }

        using var repository = await TestRepository.OpenAsync(_store);
        Assert.Equal(0, repository.Index.Count);
        var e = await Assert.ThrowsAsync<RepositoryCorruptException>(() => repository.LoadBlobAsync(BlobType.Data, sample.Chunks["N"], Ct));
        Assert.Contains(sample.Chunks["N"].ToString(), e.ObjectName, StringComparison.Ordinal);
        Assert.Contains("missing data", e.Problem, StringComparison.Ordinal);
        Assert.Equal(3, (await repository.ListSnapshotsAsync(Ct)).Count);

        var (adopted, damaged) = await repository.AdoptUnindexedPacksAsync(Ct);

        Assert.Equal(packs.Count, adopted);
        Assert.Empty(damaged);
        foreach (var (name, id) in sample.Chunks)
        {
            Assert.Equal(sample.Plaintexts[name], await repository.LoadBlobAsync(BlobType.Data, id, Ct));
        }

        foreach (var snapshot in sample.Snapshots)
        {
            Assert.NotEmpty((await repository.LoadTreeAsync((await repository.LoadSnapshotAsync(snapshot.Id, Ct)).Tree, Ct)).Nodes);
        }

        Assert.Equal(0, (await repository.AdoptUnindexedPacksAsync(Ct)).Adopted);
        Assert.True((await CheckerTests.CheckAsync(_store, readData: true)).IsClean);
    }

    [Fact]
    public async Task A_damaged_index_file_is_named_when_the_index_is_loaded()
    {
        await SampleRepository.CreateAsync(_store);
        var index = (await TestRepository.ListAsync(_store, BlobKind.Index))[0];
        var path = _store.PathOf(index.Name);
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        bytes[bytes.Length / 2] ^= 0x10;
        await File.WriteAllBytesAsync(path, bytes, Ct);

        using var repository = await HortRepository.OpenAsync(_store, TestRepository.Password, cancellationToken: Ct);
        var e = await Assert.ThrowsAsync<RepositoryCorruptException>(() => repository.LoadIndexAsync(Ct));

        Assert.Equal(index.Name.ToString(), e.ObjectName);
    }

    [Fact]
    public async Task A_damaged_snapshot_is_named_when_snapshots_are_listed()
    {
        var sample = await SampleRepository.CreateAsync(_store);
        var name = BlobName.For(BlobKind.Snapshot, sample.Snapshots[1].Id);
        var bytes = await File.ReadAllBytesAsync(_store.PathOf(name), Ct);
        await File.WriteAllBytesAsync(_store.PathOf(name), bytes[..^1], Ct);

        using var repository = await TestRepository.OpenAsync(_store);
        var e = await Assert.ThrowsAsync<RepositoryCorruptException>(() => repository.ListSnapshotsAsync(Ct));

        Assert.Equal(name.ToString(), e.ObjectName);
    }

    private static List<BlobLocation> BlobsOf(HortRepository repository, ObjectId packId) =>
        repository.Index.Blobs().Where(b => b.PackId == packId).OrderBy(b => b.Entry.Offset).ToList();

    private static byte[] PlaintextOf(SampleRepository sample, ObjectId id) => sample.Plaintexts[sample.Chunks.Single(c => c.Value == id).Key];

    public void Dispose() => _directory.Dispose();
}
