using Hort.Core;
using Hort.Repository.Checking;
using Hort.Repository.Format;
using Hort.Repository.Repair;
using Hort.Repository.Tests.Checking;
using Hort.Repository.Tests.RepositoryApi;
using Hort.Storage;

namespace Hort.Repository.Tests.Repair;

/// <summary>
/// <see cref="Repairer"/> on the hand-built sample: a rebuilt index, damaged packs moved to quarantine after their
/// intact blobs are copied out, good duplicates used, damaged snapshots marked with exactly the lost paths.
/// </summary>
public sealed class RepairerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_healthy_repository_needs_no_repair_and_nothing_changes()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var before = await TestRepository.ContentsAsync(sample.Store);

        var report = await RepairAsync(sample.Store);

        Assert.True(report.ChangedNothing, string.Join("\n", report.Actions));
        Assert.Empty(report.DamagedSnapshots);
        await TestRepository.AssertUnchangedAsync(before, sample.Store);
    }

    [Fact]
    public async Task A_missing_pack_leaves_a_clean_check_and_marks_exactly_the_paths_that_used_it()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        await sample.Store.DeleteAsync(BlobName.For(BlobKind.Pack, sample.DataPacks["α"]), Ct);
        var oldIndexFiles = await TestRepository.ListAsync(sample.Store, BlobKind.Index);
        var lost = new[] { sample.Chunks["A1"], sample.Chunks["A2"], sample.Chunks["N"] };

        var dry = await RepairAsync(sample.Store, dryRun: true);
        var before = await TestRepository.ContentsAsync(sample.Store);
        var report = await RepairAsync(sample.Store);

        Assert.Equal(dry.Actions.Select(a => a.Kind + a.Object), report.Actions.Select(a => a.Kind + a.Object));
        Assert.Contains(report.Actions, a => a.Kind == "write-index");
        Assert.All(oldIndexFiles, f => Assert.Contains(report.Actions, a => a.Kind == "remove-index" && a.Object == f.Name.ToString()));
        var remaining = await TestRepository.ListAsync(sample.Store, BlobKind.Index);
        Assert.DoesNotContain(remaining, f => oldIndexFiles.Contains(f));
        Assert.Equal(sample.AffectedByData(lost), MarkedPaths(sample, report));
        Assert.Equal(3, report.DamagedSnapshots.Count);
        Assert.Equal(3, (await TestRepository.ListAsync(sample.Store, BlobKind.Damage)).Count);
        Assert.NotEqual(before.Keys, (await TestRepository.ContentsAsync(sample.Store)).Keys);

        var check = await CheckerTests.CheckAsync(sample.Store, readData: true);
        Assert.True(check.IsClean, CheckerTests.Describe(check));
        Assert.NotEmpty(check.KnownDamage);
        Assert.Equal(3, check.DamagedSnapshots.Count);

        // A second repair finds nothing more to do.
        Assert.True((await RepairAsync(sample.Store)).ChangedNothing);
    }

    [Fact]
    public async Task A_pack_with_a_flipped_bit_goes_to_quarantine_byte_for_byte_and_its_intact_blobs_are_copied_out()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var packId = sample.DataPacks["β"];
        var damagedBytes = await FlipBitInBlobAsync(sample.Store, sample.Chunks["P1"]);

        var report = await RepairAsync(sample.Store);

        Assert.Contains(report.Actions, a => a.Kind == "quarantine" && a.Object == BlobName.For(BlobKind.Pack, packId).ToString());
        Assert.Null(await sample.Store.StatAsync(BlobName.For(BlobKind.Pack, packId), Ct));
        Assert.Equal(damagedBytes, await sample.Store.GetAsync(BlobName.For(BlobKind.Quarantine, packId), Ct));
        Assert.Equal(2, report.BlobsSalvaged);
        Assert.Equal([sample.Chunks["P1"]], report.BlobsLost);

        using var repository = await TestRepository.OpenAsync(sample.Store);
        foreach (var name in new[] { "P2", "H" })
        {
            Assert.Equal(sample.Plaintexts[name], await repository.LoadBlobAsync(BlobType.Data, sample.Chunks[name], Ct));
        }

        Assert.False(repository.Index.Contains(sample.Chunks["P1"]));
        Assert.Equal(sample.AffectedByData(sample.Chunks["P1"]), MarkedPaths(sample, report));
        var check = await CheckerTests.CheckAsync(sample.Store, readData: true);
        Assert.True(check.IsClean, CheckerTests.Describe(check));
    }

    [Fact]
    public async Task When_the_indexed_copy_of_a_blob_is_damaged_the_intact_duplicate_is_used_and_nothing_is_lost()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var blob = sample.Chunks["H"];

        // A second writer that never saw the index stores H again, in a pack of its own (as concurrent backups can).
        ObjectId duplicatePack;
        using (var other = await HortRepository.OpenAsync(sample.Store, TestRepository.Password, cancellationToken: Ct))
        using (var writer = new BlobWriter(other))
        {
            Assert.True(await writer.SaveAsync(BlobType.Data, blob, sample.Plaintexts["H"], Ct));
            await writer.FlushAsync(Ct);
            Assert.True(other.Index.TryGet(blob, out var location));
            duplicatePack = location.PackId;
        }

        Assert.NotEqual(sample.DataPacks["β"], duplicatePack);
        await FlipBitInBlobAsync(sample.Store, blob, sample.DataPacks["β"]);

        var report = await RepairAsync(sample.Store);

        Assert.Empty(report.BlobsLost);
        Assert.Empty(report.DamagedSnapshots);
        Assert.Contains(report.Actions, a => a.Kind == "salvage" && a.Description.Contains("1 blob(s) do not verify", StringComparison.Ordinal));
        using var repository = await TestRepository.OpenAsync(sample.Store);
        Assert.True(repository.Index.TryGet(blob, out var now));
        Assert.Equal(duplicatePack, now.PackId);
        Assert.Equal(sample.Plaintexts["H"], await repository.LoadBlobAsync(BlobType.Data, blob, Ct));
        var check = await CheckerTests.CheckAsync(sample.Store, readData: true);
        Assert.True(check.IsClean, CheckerTests.Describe(check));
        Assert.Empty(check.DamagedSnapshots);
    }

    [Fact]
    public async Task A_damaged_index_file_is_replaced_and_loses_nothing()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var index = (await TestRepository.ListAsync(sample.Store, BlobKind.Index))[0].Name;
        var bytes = await sample.Store.GetAsync(index, Ct);
        bytes[bytes.Length / 2] ^= 1;
        await sample.Store.PutAsync(index, bytes, Ct);
        Assert.False((await CheckerTests.CheckAsync(sample.Store, readData: false)).IsClean);

        var report = await RepairAsync(sample.Store);

        Assert.Contains(report.Warnings, w => w.Contains(index.ToString(), StringComparison.Ordinal));
        Assert.Contains(report.Actions, a => a.Kind == "remove-index" && a.Object == index.ToString());
        Assert.Empty(report.DamagedSnapshots);
        Assert.Null(await sample.Store.StatAsync(index, Ct));
        var check = await CheckerTests.CheckAsync(sample.Store, readData: true);
        Assert.True(check.IsClean, CheckerTests.Describe(check));
        Assert.Empty(check.Notes);
    }

    [Fact]
    public async Task A_pack_whose_header_is_lost_is_salvaged_through_the_old_index_entries()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var name = BlobName.For(BlobKind.Pack, sample.DataPacks["γ"]);
        var bytes = await sample.Store.GetAsync(name, Ct);
        bytes[^10] ^= 0x40; // inside the header envelope's tag
        await sample.Store.PutAsync(name, bytes, Ct);

        var report = await RepairAsync(sample.Store);

        Assert.Equal(2, report.BlobsSalvaged);
        Assert.Empty(report.BlobsLost);
        Assert.Empty(report.DamagedSnapshots);
        Assert.NotNull(await sample.Store.StatAsync(BlobName.For(BlobKind.Quarantine, sample.DataPacks["γ"]), Ct));
        var check = await CheckerTests.CheckAsync(sample.Store, readData: true);
        Assert.True(check.IsClean, CheckerTests.Describe(check));
    }

    [Fact]
    public async Task A_snapshot_file_that_does_not_open_goes_to_quarantine_and_the_others_are_untouched()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var name = BlobName.For(BlobKind.Snapshot, sample.Snapshots[1].Id);
        var bytes = await sample.Store.GetAsync(name, Ct);
        bytes[30] ^= 0x01;
        await sample.Store.PutAsync(name, bytes, Ct);

        var report = await RepairAsync(sample.Store);

        Assert.Contains(report.Actions, a => a.Kind == "quarantine" && a.Object == name.ToString());
        Assert.Null(await sample.Store.StatAsync(name, Ct));
        Assert.Equal(bytes, await sample.Store.GetAsync(BlobName.For(BlobKind.Quarantine, sample.Snapshots[1].Id), Ct));
        Assert.Equal(2, (await TestRepository.ListAsync(sample.Store, BlobKind.Snapshot)).Count);
        var check = await CheckerTests.CheckAsync(sample.Store, readData: true);
        Assert.True(check.IsClean, CheckerTests.Describe(check));
    }

    [Fact]
    public async Task Repair_refuses_while_a_backup_holds_a_lease_and_changes_nothing_and_a_dry_run_needs_no_lock()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        await sample.Store.DeleteAsync(BlobName.For(BlobKind.Pack, sample.DataPacks["δ"]), Ct);
        using var holder = await HortRepository.OpenAsync(sample.Store, TestRepository.Password, cancellationToken: Ct);
        await using (await Hort.Repository.Maintenance.RepositoryLease.AcquireAsync(holder, BlobKind.Lease, new Hort.Repository.Maintenance.LeaseOwner("pc", 4242), "backup", new Hort.Repository.Maintenance.LeaseOptions(), Ct))
        {
            var before = await TestRepository.ContentsAsync(sample.Store);
            var refused = await Assert.ThrowsAsync<HortException>(() => RepairAsync(sample.Store));
            Assert.Contains("a backup is running", refused.Message, StringComparison.Ordinal);
            Assert.Contains("nothing was changed", refused.Message, StringComparison.Ordinal);
            await TestRepository.AssertUnchangedAsync(before, sample.Store);

            Assert.NotEmpty((await RepairAsync(sample.Store, dryRun: true)).Actions);
            await TestRepository.AssertUnchangedAsync(before, sample.Store);
        }

        // Once the backup has ended, repair runs, and leaves no lock behind.
        Assert.NotEmpty((await RepairAsync(sample.Store)).DamagedSnapshots);
        Assert.Empty(await TestRepository.ListAsync(sample.Store, BlobKind.Lock));
    }

    [Fact]
    public async Task Packs_a_pending_prune_announced_for_deletion_are_left_in_place_for_it_and_out_of_the_index()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        ObjectId packId;
        long length;
        using (var repository = await TestRepository.OpenAsync(sample.Store))
        using (var pack = new Hort.Repository.Packs.PackWriter(repository.Codec))
        {
            var raw = "garbage no snapshot uses"u8.ToArray();
            pack.Add(BlobType.Data, repository.ComputeId(raw), raw);
            using var finished = pack.Finish();
            packId = finished.Id;
            length = finished.Length;
            await sample.Store.PutAsync(BlobName.For(BlobKind.Pack, packId), finished.Content, Ct);
            var record = Hort.Repository.Maintenance.DeletionRecord.Seal(repository.Codec.Cipher, DateTimeOffset.UnixEpoch, "pc", packId, [(packId, length)], []);
            await repository.PutObjectAsync(BlobKind.Deletion, record, Ct);
        }

        var report = await RepairAsync(sample.Store);

        Assert.Contains(report.Warnings, w => w.Contains("pending prune", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Actions, a => a.Object.Contains(packId.ToString(), StringComparison.Ordinal));
        Assert.NotNull(await sample.Store.StatAsync(BlobName.For(BlobKind.Pack, packId), Ct));
        Assert.Empty(report.DamagedSnapshots);
        using var reopened = await TestRepository.OpenAsync(sample.Store);
        Assert.False(reopened.Index.ContainsPack(packId));
    }

    [Fact]
    public async Task Repair_refuses_a_wrong_password_before_reading_anything_else()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        await Assert.ThrowsAsync<WrongPasswordException>(() => HortRepository.OpenAsync(sample.Store, "wrong", cancellationToken: Ct));
    }

    internal static async Task<RepairReport> RepairAsync(IBlobStore store, bool dryRun = false)
    {
        using var repository = await HortRepository.OpenAsync(store, TestRepository.Password, cancellationToken: Ct);
        return await new Repairer(repository).RunAsync(new RepairOptions { DryRun = dryRun }, Ct);
    }

    /// <summary>"snapshot 1a2b3c4d: /path" for every path the repair marked, sorted, as <see cref="SampleRepository.AffectedByData"/> gives them.</summary>
    private static List<string> MarkedPaths(SampleRepository sample, RepairReport report) =>
        report.DamagedSnapshots.SelectMany(d => d.Paths.Select(p => $"snapshot {d.Snapshot.ToShortString()}: {p}")).Order(StringComparer.Ordinal).ToList();

    /// <summary>Flips one bit in the middle of the blob's envelope (in <paramref name="pack"/>, or where the index puts it); returns the damaged pack bytes.</summary>
    private static async Task<byte[]> FlipBitInBlobAsync(IBlobStore store, ObjectId blob, ObjectId? pack = null)
    {
        using var repository = await TestRepository.OpenAsync(store);
        Assert.True(repository.Index.TryGet(blob, out var location));
        var packId = pack ?? location.PackId;
        var name = BlobName.For(BlobKind.Pack, packId);
        var stat = await store.StatAsync(name, Ct);
        var entry = (await Hort.Repository.Packs.PackReader.ReadHeaderAsync(store, repository.Codec.Cipher, packId, stat!.Length, Ct)).Single(e => e.Id == blob);
        var bytes = await store.GetAsync(name, Ct);
        bytes[entry.Offset + (entry.StoredLength / 2)] ^= 0x04;
        await store.PutAsync(name, bytes, Ct);
        return bytes;
    }
}
