using System.Security.Cryptography;
using Hort.Core;
using Hort.Repository.Snapshots;
using Hort.Storage;

namespace Hort.Repository.Tests.RepositoryApi;

public sealed class HortRepositorySnapshotsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Snapshots_are_listed_oldest_first_and_load_as_saved()
    {
        var (store, ids) = await CreateAsync();
        using var repository = await TestRepository.OpenAsync(store);

        var list = await repository.ListSnapshotsAsync(Ct);

        Assert.Equal([ids[1], ids[0], ids[2]], list.Select(s => s.Id));
        var loaded = await repository.LoadSnapshotAsync(ids[2], Ct);
        Assert.Equal("nas", loaded.Hostname);
        Assert.Equal(ids[1], loaded.Parent);
        Assert.Equal(["/srv"], loaded.Paths);
        Assert.Equal(ids[2], new ObjectId(SHA256.HashData(await store.GetAsync(BlobName.For(BlobKind.Snapshot, ids[2]), Ct))));
    }

    [Fact]
    public async Task Snapshots_are_found_by_full_ID_or_unique_prefix_in_any_case()
    {
        var (store, ids) = await CreateAsync();
        using var repository = await TestRepository.OpenAsync(store);

        foreach (var id in ids)
        {
            var text = id.ToString();
            Assert.Equal(id, (await repository.FindSnapshotAsync(text, cancellationToken: Ct)).Id);
            Assert.Equal(id, (await repository.FindSnapshotAsync(text[..8], cancellationToken: Ct)).Id);
            Assert.Equal(id, (await repository.FindSnapshotAsync(text[..8].ToUpperInvariant(), cancellationToken: Ct)).Id);
        }
    }

    [Fact]
    public async Task Latest_is_the_newest_snapshot_overall_or_of_one_host()
    {
        var (store, ids) = await CreateAsync();
        using var repository = await TestRepository.OpenAsync(store);

        Assert.Equal(ids[2], (await repository.FindSnapshotAsync("latest", cancellationToken: Ct)).Id);
        Assert.Equal(ids[0], (await repository.FindSnapshotAsync("latest", "office-pc", Ct)).Id);
        var e = await Assert.ThrowsAsync<NotFoundException>(() => repository.FindSnapshotAsync("latest", "elsewhere", Ct));
        Assert.Contains("elsewhere", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_repository_has_no_latest_snapshot()
    {
        using var repository = await TestRepository.InitAsync(new InMemoryBlobStore());

        var e = await Assert.ThrowsAsync<NotFoundException>(() => repository.FindSnapshotAsync("latest", cancellationToken: Ct));

        Assert.Contains("no snapshots", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("xyz12345")]
    [InlineData("latest2")]
    [InlineData("../../config")]
    public async Task A_reference_that_is_not_an_ID_prefix_is_refused(string reference)
    {
        var (store, _) = await CreateAsync();
        using var repository = await TestRepository.OpenAsync(store);

        var e = await Assert.ThrowsAsync<NotFoundException>(() => repository.FindSnapshotAsync(reference, cancellationToken: Ct));

        Assert.Contains("at least 4 hex digits", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_prefix_is_not_found()
    {
        var (store, ids) = await CreateAsync();
        using var repository = await TestRepository.OpenAsync(store);
        var unknown = Enumerable.Range(0, 0x10000).Select(i => i.ToString("x4")).First(p => !ids.Any(id => id.ToString().StartsWith(p, StringComparison.Ordinal)));

        var e = await Assert.ThrowsAsync<NotFoundException>(() => repository.FindSnapshotAsync(unknown, cancellationToken: Ct));

        Assert.Contains($"no snapshot matches '{unknown}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prefix_shared_by_two_snapshots_is_ambiguous()
    {
        var (store, ids) = await CreateAsync();
        using var repository = await TestRepository.OpenAsync(store);
        var stored = await store.GetAsync(BlobName.For(BlobKind.Snapshot, ids[0]), Ct);
        var prefix = ids[0].ToString()[..4];

        // Only the names matter to the lookup; a real collision of 4 hex digits needs hundreds of snapshots.
        await store.PutAsync(new BlobName(BlobKind.Snapshot, prefix + new string('f', 60)), stored, Ct);

        var e = await Assert.ThrowsAsync<NotFoundException>(() => repository.FindSnapshotAsync(prefix, cancellationToken: Ct));
        Assert.Contains("matches 2 snapshots", e.Message, StringComparison.Ordinal);
        Assert.Equal(ids[0], (await repository.FindSnapshotAsync(ids[0].ToString()[..12], cancellationToken: Ct)).Id);
    }

    [Fact]
    public async Task A_snapshot_stored_under_the_wrong_name_is_reported_as_corrupt_naming_it()
    {
        var (store, ids) = await CreateAsync();
        using var repository = await TestRepository.OpenAsync(store);
        var stored = await store.GetAsync(BlobName.For(BlobKind.Snapshot, ids[0]), Ct);
        var wrong = new BlobName(BlobKind.Snapshot, new string('e', 64));
        await store.PutAsync(wrong, stored, Ct);

        var e = await Assert.ThrowsAsync<RepositoryCorruptException>(() => repository.ListSnapshotsAsync(Ct));

        Assert.Equal(wrong.ToString(), e.ObjectName);
    }

    /// <summary>Three snapshots: office-pc on day 2, office-pc on day 1, nas on day 3 (saved in that order).</summary>
    private static async Task<(InMemoryBlobStore Store, ObjectId[] Ids)> CreateAsync()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var tree = repository.ComputeId("no tree needed to find a snapshot"u8);
        var ids = new ObjectId[3];
        ids[0] = await repository.SaveSnapshotAsync(new Snapshot { Time = Day(2), Tree = tree, Paths = ["/home"], Hostname = "office-pc" }, Ct);
        ids[1] = await repository.SaveSnapshotAsync(new Snapshot { Time = Day(1), Tree = tree, Paths = ["/home"], Hostname = "office-pc" }, Ct);
        ids[2] = await repository.SaveSnapshotAsync(new Snapshot { Time = Day(3), Tree = tree, Paths = ["/srv"], Hostname = "nas", Parent = ids[1] }, Ct);
        return (store, ids);
    }

    private static DateTimeOffset Day(int day) => new(2024, 6, day, 12, 0, 0, TimeSpan.FromHours(2));
}
