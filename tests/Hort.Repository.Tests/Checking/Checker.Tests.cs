using Hort.Core;
using Hort.Repository.Checking;
using Hort.Repository.Format;
using Hort.Repository.Packs;
using Hort.Repository.Tests.RepositoryApi;
using Hort.Storage;

namespace Hort.Repository.Tests.Checking;

public sealed class CheckerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_clean_repository_checks_clean_with_and_without_reading_data()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var before = await TestRepository.ContentsAsync(sample.Store);

        var structure = await CheckAsync(sample.Store, readData: false);
        var full = await CheckAsync(sample.Store, readData: true);

        Assert.True(structure.IsClean, Describe(structure));
        Assert.True(full.IsClean, Describe(full));
        Assert.Empty(full.Notes);
        Assert.Equal(3, full.SnapshotsChecked);
        Assert.Equal(sample.Snapshots.SelectMany(s => s.Directories.Values).Distinct().Count(), full.TreesChecked);
        Assert.Equal((await TestRepository.ListAsync(sample.Store, BlobKind.Pack)).Count, full.PacksRead);
        Assert.Equal(0, structure.PacksRead);
        Assert.Equal(sample.Chunks.Count + full.TreesChecked, full.BlobsVerified);
        await TestRepository.AssertUnchangedAsync(before, sample.Store);
    }

    [Fact]
    public async Task A_missing_data_pack_is_found_by_the_structure_check_alone_which_names_every_affected_path()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var pack = BlobName.For(BlobKind.Pack, sample.DataPacks["α"]);
        await sample.Store.DeleteAsync(pack, Ct);
        var before = await TestRepository.ContentsAsync(sample.Store);

        var report = await CheckAsync(sample.Store, readData: false);

        await TestRepository.AssertUnchangedAsync(before, sample.Store);

        Assert.Contains(report.Errors, e => e.Object == pack.ToString() && e.Description.Contains("missing", StringComparison.Ordinal));
        var expected = sample.AffectedByData(sample.Chunks["A1"], sample.Chunks["A2"], sample.Chunks["N"]);
        Assert.Equal(expected, Affected(report));
        Assert.Contains($"{sample.Snapshots[2].Label}: /srv/sub/deep/file", expected);
        Assert.Contains($"{sample.Snapshots[0].Label}: /home/bob/copy-of-notes.txt", expected);
    }

    [Fact]
    public async Task A_truncated_pack_is_found_by_the_structure_check_which_names_the_paths_of_the_blobs_it_cut()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var pack = BlobName.For(BlobKind.Pack, sample.DataPacks["γ"]);
        ObjectId cut;
        using (var repository = await TestRepository.OpenAsync(sample.Store))
        {
            var last = repository.Index.Blobs().Where(b => b.PackId == sample.DataPacks["γ"]).MaxBy(b => b.Entry.Offset);
            cut = last.Entry.Id;
            var content = await sample.Store.GetAsync(pack, Ct);
            await sample.Store.PutAsync(pack, content[..(int)(last.Entry.Offset + 10)], Ct);
        }

        var report = await CheckAsync(sample.Store, readData: false);

        // Without reading, the check cannot tell which blobs survived: it may name all of the pack's paths, but must name the cut one's.
        Assert.Contains(report.Errors, e => e.Object == pack.ToString() && e.Description.Contains("truncated", StringComparison.Ordinal));
        Assert.Subset(sample.AffectedByData(sample.Chunks["A3"], sample.Chunks["B"]).ToHashSet(), Affected(report).ToHashSet());
        Assert.Superset(sample.AffectedByData(cut).ToHashSet(), Affected(report).ToHashSet());
    }

    [Fact]
    public async Task A_missing_tree_pack_names_the_directory_whose_listing_is_lost()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        using (var repository = await TestRepository.OpenAsync(sample.Store))
        {
            repository.Index.TryGet(sample.Snapshots[2].Directories["/"], out var root);
            await sample.Store.DeleteAsync(BlobName.For(BlobKind.Pack, root.PackId), Ct);
        }

        var report = await CheckAsync(sample.Store, readData: false);

        Assert.Equal([$"{sample.Snapshots[2].Label}: / (directory listing lost)"], Affected(report));
    }

    [Fact]
    public async Task A_missing_file_with_a_non_UTF8_name_is_named_with_its_bytes_escaped()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        await sample.Store.DeleteAsync(BlobName.For(BlobKind.Pack, sample.DataPacks["δ"]), Ct);

        var report = await CheckAsync(sample.Store, readData: false);

        Assert.Equal(
            new[]
            {
                $"{sample.Snapshots[0].Label}: /home/anna/caf\\xe9.txt",
                $"{sample.Snapshots[1].Label}: /home/anna/caf\\xe9.txt",
                $"{sample.Snapshots[2].Label}: /srv/data.bin",
            }.Order(StringComparer.Ordinal),
            Affected(report));
    }

    [Fact]
    public async Task A_snapshot_whose_root_tree_was_never_stored_is_reported_with_its_whole_listing_lost()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        ObjectId broken;
        using (var repository = await TestRepository.OpenAsync(sample.Store))
        {
            var missingTree = repository.ComputeId("a tree that was never saved"u8);
            broken = await repository.SaveSnapshotAsync(
                new Hort.Repository.Snapshots.Snapshot { Time = DateTimeOffset.UnixEpoch, Tree = missingTree, Paths = ["/lost"] }, Ct);
        }

        var report = await CheckAsync(sample.Store, readData: false);

        Assert.Equal([$"snapshot {broken.ToShortString()}: / (directory listing lost)"], Affected(report));
    }

    [Fact]
    public async Task Unindexed_packs_are_a_note_not_an_error()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        ObjectId packId;
        using (var repository = await TestRepository.OpenAsync(sample.Store))
        using (var pack = new PackWriter(repository.Codec))
        {
            // As an interrupted backup leaves it: the pack is stored, the index that would list it is not.
            var raw = "left over"u8.ToArray();
            pack.Add(BlobType.Data, repository.ComputeId(raw), raw);
            using var finished = pack.Finish();
            packId = finished.Id;
            await sample.Store.PutAsync(BlobName.For(BlobKind.Pack, packId), finished.Content, Ct);
        }

        var report = await CheckAsync(sample.Store, readData: true);

        Assert.True(report.IsClean, Describe(report));
        Assert.Single(report.Notes);
        Assert.Contains("not listed by any index", report.Notes[0], StringComparison.Ordinal);
        Assert.Contains(packId.ToString(), report.Notes[0], StringComparison.Ordinal);
    }

    internal static async Task<CheckReport> CheckAsync(IBlobStore store, bool readData)
    {
        using var repository = await HortRepository.OpenAsync(store, TestRepository.Password, cancellationToken: Ct);
        return await new Checker(repository).RunAsync(new CheckOptions { ReadData = readData }, Ct);
    }

    internal static List<string> Affected(CheckReport report) =>
        report.Errors.SelectMany(e => e.Affected).Distinct().Order(StringComparer.Ordinal).ToList();

    internal static string Describe(CheckReport report) =>
        string.Join("\n", report.Errors.Select(e => $"{e.Object}: {e.Description}" + string.Concat(e.Affected.Select(a => "\n    " + a))));
}
