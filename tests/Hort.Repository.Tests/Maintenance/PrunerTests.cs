using Hort.Core;
using Hort.Repository.Maintenance;
using Hort.Repository.Tests.RepositoryApi;
using Hort.Storage;

namespace Hort.Repository.Tests.Maintenance;

public sealed class PrunerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(PruneFixture Fixture, List<ObjectId> Snapshots)> FourGenerationsAsync()
    {
        var fixture = await PruneFixture.CreateAsync();
        var snapshots = new List<ObjectId>();
        for (var g = 0; g < 4; g++)
        {
            snapshots.Add(await fixture.BackupAsync(PruneFixture.Files(40, g)));
        }

        return (fixture, snapshots);
    }

    [Fact]
    public async Task Prune_deletes_unused_packs_repacks_mostly_unused_ones_and_every_remaining_snapshot_reads_back()
    {
        var (fixture, snapshots) = await FourGenerationsAsync();
        await fixture.ForgetAsync(snapshots[0], snapshots[1]);
        var before = await fixture.PackBytesAsync();

        var report = await fixture.PruneAsync(maxUnused: 0.05);

        Assert.Equal(PruneOutcome.Completed, report.Outcome);
        Assert.True(report.PacksUnused + report.PacksRepacked > 0, "nothing was found to prune");
        Assert.Equal(report.PacksUnused + report.PacksRepacked, report.PacksDeleted);
        Assert.True(report.IndexFilesDeleted > 0);
        var after = await fixture.PackBytesAsync();
        Assert.True(after < before, $"packs took {before} bytes before and {after} after");
        Assert.Empty(await ListAsync(fixture.Store, BlobKind.Deletion));
        Assert.Empty(await ListAsync(fixture.Store, BlobKind.Lock));
        await fixture.VerifyAsync("after prune");

        var again = await fixture.PruneAsync(maxUnused: 0.05);
        Assert.Equal(PruneOutcome.NothingToDo, again.Outcome);
        Assert.Equal(after, await fixture.PackBytesAsync());

        // A backup after prune still deduplicates against what is left.
        await fixture.BackupAsync(PruneFixture.Files(40, 3));
        await fixture.VerifyAsync("after a backup following prune");
    }

    [Fact]
    public async Task With_a_threshold_of_100_percent_only_whole_unused_packs_go_and_with_0_every_gap_is_closed()
    {
        var (fixture, snapshots) = await FourGenerationsAsync();
        await fixture.ForgetAsync(snapshots[0]);
        var strictFixture = await fixture.CloneAsync();

        var lenient = await fixture.PruneAsync(maxUnused: 1.0);
        Assert.Equal(0, lenient.PacksRepacked);
        await fixture.VerifyAsync("max-unused 100%");

        var strict = await strictFixture.PruneAsync(maxUnused: 0);
        Assert.True(strict.PacksRepacked > 0);
        await strictFixture.VerifyAsync("max-unused 0%");
        using var repository = await strictFixture.OpenAsync();
        var after = await new Pruner(repository, strictFixture.PruneOptions(strictFixture.NextOwner(), maxUnused: 0, dryRun: true)).RunAsync(Ct);
        Assert.Equal(0, after.PacksUnused + after.PacksRepacked);
    }

    [Fact]
    public async Task Prune_removes_the_half_written_pack_of_a_stopped_backup_but_not_a_young_one()
    {
        using var directory = new TemporaryDirectory();
        var store = LocalDirectoryBlobStore.Create(Path.Combine(directory.Path, "repo"));
        var fixture = await PruneFixture.CreateAsync(store);
        await fixture.BackupAsync(PruneFixture.Files(10, 0));
        var stopped = Path.Combine(store.RootPath, "data", ".tmp-stopped");
        var running = Path.Combine(store.RootPath, "data", ".tmp-running");
        File.WriteAllBytes(stopped, new byte[100]);
        File.WriteAllBytes(running, new byte[100]);
        File.SetLastWriteTimeUtc(stopped, DateTime.UtcNow.AddDays(-2));
        var before = await TestRepository.ContentsAsync(store);

        var report = await fixture.PruneAsync();

        Assert.False(File.Exists(stopped));
        Assert.True(File.Exists(running));
        Assert.Contains("removed 1 temporary file(s) left by interrupted writes", report.Notes);
        await TestRepository.AssertUnchangedAsync(before, store);
        await fixture.VerifyAsync("after prune");
    }

    [Fact]
    public async Task A_dry_run_reports_what_would_go_and_changes_nothing()
    {
        var (fixture, snapshots) = await FourGenerationsAsync();
        await fixture.ForgetAsync(snapshots[0], snapshots[1]);
        var before = await TestRepository.ContentsAsync(fixture.Store);

        using var repository = await fixture.OpenAsync();
        var report = await new Pruner(repository, fixture.PruneOptions(fixture.NextOwner(), dryRun: true)).RunAsync(Ct);

        Assert.Equal(PruneOutcome.DryRun, report.Outcome);
        Assert.True(report.PacksUnused + report.PacksRepacked > 0);
        Assert.Equal(0, report.PacksDeleted);
        await TestRepository.AssertUnchangedAsync(before, fixture.Store);
    }

    [Fact]
    public async Task A_backup_that_started_before_the_announcement_defers_deletion_and_the_packs_its_snapshot_uses_are_kept()
    {
        var fixture = await PruneFixture.CreateAsync();
        var files = PruneFixture.Files(20, 0);
        var old = await fixture.BackupAsync(files);
        await fixture.ForgetAsync(old);

        // A backup starts: lease, then index (which still lists the old packs, so it will store nothing new).
        using var running = await fixture.OpenAsync();
        var lease = await RepositoryLease.AcquireAsync(running, BlobKind.Lease, fixture.NextOwner(), "backup", fixture.Leases, Ct);
        await lease.AcknowledgeAsync(await running.LoadIndexForWritingAsync(Ct), Ct);

        var first = await fixture.PruneAsync();
        Assert.Equal(PruneOutcome.Deferred, first.Outcome);
        Assert.Single(first.WaitingFor);
        Assert.Equal(0, first.PacksDeleted);
        Assert.Single(await ListAsync(fixture.Store, BlobKind.Deletion));
        await fixture.VerifyAsync("while the deletion waits");

        // The running backup commits a snapshot made entirely of announced data, then ends.
        var kept = await fixture.WriteSnapshotAsync(running, files);
        await lease.DisposeAsync();

        var second = await fixture.PruneAsync();
        Assert.Equal(PruneOutcome.Completed, second.Outcome);
        Assert.True(second.PacksRescued > 0);
        Assert.Empty(await ListAsync(fixture.Store, BlobKind.Deletion));
        await fixture.VerifyAsync("after the deferred deletion");
        Assert.True(fixture.Committed.ContainsKey(kept));
    }

    [Fact]
    public async Task A_backup_that_starts_after_the_announcement_stores_announced_data_again_and_does_not_hold_prune_up()
    {
        var fixture = await PruneFixture.CreateAsync();
        var files = PruneFixture.Files(20, 0);
        var old = await fixture.BackupAsync(files);
        await fixture.ForgetAsync(old);

        // An older backup keeps the deletion waiting.
        using var blocker = await fixture.OpenAsync();
        var blocking = await RepositoryLease.AcquireAsync(blocker, BlobKind.Lease, fixture.NextOwner(), "backup", fixture.Leases, Ct);
        Assert.Equal(PruneOutcome.Deferred, (await fixture.PruneAsync()).Outcome);

        // A new backup of the same files sees the announcement: the announced packs are absent for it.
        using var late = await fixture.OpenAsync();
        await using (var lease = await RepositoryLease.AcquireAsync(late, BlobKind.Lease, fixture.NextOwner(), "backup", fixture.Leases, Ct))
        {
            var seen = await late.LoadIndexForWritingAsync(Ct);
            Assert.Single(seen);
            await late.AdoptUnindexedPacksAsync(Ct);
            await lease.AcknowledgeAsync(seen, Ct);
            Assert.Equal(0, late.Index.Count);
            await fixture.WriteSnapshotAsync(late, files);

            // Still running, but it has seen the record: only the older backup holds prune up.
            var waiting = await fixture.PruneAsync();
            Assert.Equal(PruneOutcome.Deferred, waiting.Outcome);
            Assert.Single(waiting.WaitingFor);
            Assert.Contains(blocking.Name.ToString(), waiting.WaitingFor[0]);
        }

        await blocking.DisposeAsync();
        var done = await fixture.PruneAsync();
        Assert.Equal(PruneOutcome.Completed, done.Outcome);
        Assert.Equal(0, done.PacksRescued);
        Assert.True(done.PacksDeleted > 0);
        await fixture.VerifyAsync("after the deletion");
    }

    [Fact]
    public async Task A_lease_whose_holder_is_gone_or_that_went_stale_does_not_hold_prune_up()
    {
        var fixture = await PruneFixture.CreateAsync();
        var old = await fixture.BackupAsync(PruneFixture.Files(10, 0));
        await fixture.ForgetAsync(old);
        using var repository = await fixture.OpenAsync();

        // Left by a killed backup: never removed, never refreshed.
        var killed = fixture.NextOwner();
        await RepositoryLease.AcquireAsync(repository, BlobKind.Lease, killed, "backup", fixture.Leases, Ct);
        fixture.End(killed);

        var report = await fixture.PruneAsync();

        Assert.Equal(PruneOutcome.Completed, report.Outcome);
        await fixture.VerifyAsync("after prune");
    }

    [Fact]
    public async Task Prune_refuses_and_deletes_nothing_when_an_indexed_pack_is_missing()
    {
        var (fixture, snapshots) = await FourGenerationsAsync();
        await fixture.ForgetAsync(snapshots[0]);
        var pack = (await ListAsync(fixture.Store, BlobKind.Pack)).First();
        await fixture.Store.DeleteAsync(pack, Ct);

        await AssertRefusedAsync(fixture, "which is missing");
    }

    [Fact]
    public async Task Prune_refuses_and_deletes_nothing_when_an_unindexed_pack_cannot_be_read()
    {
        var (fixture, snapshots) = await FourGenerationsAsync();
        await fixture.ForgetAsync(snapshots[0]);
        await fixture.Store.PutAsync(new BlobName(BlobKind.Pack, new string('a', 64)), TestRepository.RandomBytes(5000, 9), Ct);

        await AssertRefusedAsync(fixture, "in no index and its header cannot be read");
    }

    [Fact]
    public async Task Prune_refuses_and_deletes_nothing_when_an_index_file_is_damaged()
    {
        var (fixture, snapshots) = await FourGenerationsAsync();
        await fixture.ForgetAsync(snapshots[0]);
        var index = (await ListAsync(fixture.Store, BlobKind.Index)).First();
        var bytes = await fixture.Store.GetAsync(index, Ct);
        bytes[^5] ^= 1;
        await fixture.Store.PutAsync(index, bytes, Ct);

        await AssertRefusedAsync(fixture, "is damaged");
    }

    [Fact]
    public async Task Prune_refuses_and_deletes_nothing_when_a_snapshot_needs_data_that_is_not_stored()
    {
        var (fixture, _) = await FourGenerationsAsync();
        using (var repository = await fixture.OpenAsync())
        {
            // A snapshot made by hand over a tree that was never stored.
            await repository.SaveSnapshotAsync(new Hort.Repository.Snapshots.Snapshot
            {
                Time = DateTimeOffset.UnixEpoch, Tree = new ObjectId(TestRepository.RandomBytes(32, 3)), Paths = ["/x"],
            }, Ct);
        }

        await AssertRefusedAsync(fixture, "which is not stored");
    }

    [Fact]
    public async Task A_second_prune_refuses_while_one_holds_the_lock_and_proceeds_once_its_holder_is_gone()
    {
        var (fixture, snapshots) = await FourGenerationsAsync();
        await fixture.ForgetAsync(snapshots[0]);
        using var repository = await fixture.OpenAsync();
        var owner = fixture.NextOwner();
        var options = new LeaseOptions { IsHolderGone = o => o != owner };
        var held = await RepositoryLease.AcquireAsync(repository, BlobKind.Lock, owner, "prune", options, Ct);

        var refused = await Assert.ThrowsAsync<HortException>(() =>
            new Pruner(repository, new PruneOptions { Owner = new LeaseOwner("other", 1, "x"), Leases = options }).RunAsync(Ct));
        Assert.Contains("another prune is running", refused.Message);

        await held.DisposeAsync();
        Assert.Equal(PruneOutcome.Completed, (await fixture.PruneAsync()).Outcome);
    }

    [Fact]
    public async Task Forgetting_is_refused_whole_when_the_history_lock_protects_any_of_the_snapshots()
    {
        var fixture = await PruneFixture.CreateAsync();
        var old = await fixture.BackupAsync(PruneFixture.Files(5, 0), time: DateTimeOffset.UtcNow.AddDays(-40));
        var young = await fixture.BackupAsync(PruneFixture.Files(5, 1), time: DateTimeOffset.UtcNow.AddDays(-2));
        using var repository = await fixture.OpenAsync();
        await repository.SetHistoryLockAsync(30, "host", "admin", Ct);
        var all = await repository.ListSnapshotsAsync(Ct);

        var refused = await Assert.ThrowsAsync<HistoryLockedException>(() => repository.ForgetSnapshotsAsync(all, cancellationToken: Ct));

        Assert.Equal([young], refused.Snapshots);
        Assert.Equal(2, (await repository.ListSnapshotsAsync(Ct)).Count);
        await repository.ForgetSnapshotsAsync([.. all.Where(s => s.Id == old)], cancellationToken: Ct);
        Assert.Equal([young], (await repository.ListSnapshotsAsync(Ct)).Select(s => s.Id));
    }

    private static async Task AssertRefusedAsync(PruneFixture fixture, string expected)
    {
        var before = await TestRepository.ContentsAsync(fixture.Store);
        var refused = await Assert.ThrowsAsync<PruneRefusedException>(() => fixture.PruneAsync());
        Assert.Contains(expected, refused.Message);
        Assert.StartsWith("prune stopped and deleted nothing", refused.Message);
        await TestRepository.AssertUnchangedAsync(before, fixture.Store);
    }

    internal static async Task<List<BlobName>> ListAsync(IBlobStore store, BlobKind kind)
    {
        var list = new List<BlobName>();
        await foreach (var info in store.ListAsync(kind, Ct))
        {
            list.Add(info.Name);
        }

        return list;
    }
}
