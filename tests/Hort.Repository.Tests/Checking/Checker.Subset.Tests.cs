using Hort.Core;
using Hort.Repository.Checking;
using Hort.Repository.Snapshots;
using Hort.Repository.Tests.RepositoryApi;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Repository.Tests.Checking;

/// <summary><c>check --read-data-subset</c>: a rotating percentage reads every pack over successive runs; n/t parts partition them.</summary>
public sealed class CheckerSubsetTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(10, 1)]
    [InlineData(37, 10)]
    [InlineData(100, 25)]
    [InlineData(7, 200)]
    public void A_rotating_percentage_reads_every_pack_within_ceil_100_over_N_runs(double percent, int packCount)
    {
        var random = new Random(packCount);
        var packs = Enumerable.Range(0, packCount).Select(_ => new ObjectId(TestRepository.RandomBytes(32, random.Next()))).ToList();
        var runs = (int)Math.Ceiling(100 / percent);
        var seen = new HashSet<ObjectId>();
        ObjectId? cursor = null;
        for (var run = 0; run < runs; run++)
        {
            var selected = (DataSubset.OfPercent(percent) with { Cursor = cursor }).Select(packs);
            Assert.Equal((int)Math.Ceiling(packCount * percent / 100), selected.Count);
            Assert.Equal(selected.Count, selected.Distinct().Count());
            seen.UnionWith(selected);
            cursor = selected[^1];
        }

        Assert.Equal(packs.ToHashSet(), seen);
    }

    [Fact]
    public void Packs_added_between_runs_are_read_in_a_later_run_and_a_vanished_cursor_is_no_obstacle()
    {
        var random = new Random(5);
        ObjectId NewPack() => new(TestRepository.RandomBytes(32, random.Next()));
        var packs = Enumerable.Range(0, 20).Select(_ => NewPack()).ToList();
        var subset = DataSubset.OfPercent(25);
        var first = subset.Select(packs);
        packs.Remove(first[^1]); // the cursor's pack is gone (pruned) before the next run
        packs.AddRange(Enumerable.Range(0, 5).Select(_ => NewPack()));
        var seen = new HashSet<ObjectId>(first);
        ObjectId? cursor = first[^1];
        for (var run = 0; run < 8; run++)
        {
            var selected = (subset with { Cursor = cursor }).Select(packs);
            seen.UnionWith(selected);
            cursor = selected[^1];
        }

        Assert.Subset(seen, packs.ToHashSet()); // every pack there now was read, old and new alike
    }

    [Fact]
    public void The_parts_n_of_t_partition_the_packs_and_parsing_accepts_only_valid_forms()
    {
        var random = new Random(7);
        var packs = Enumerable.Range(0, 300).Select(_ => new ObjectId(TestRepository.RandomBytes(32, random.Next()))).ToList();
        var parts = Enumerable.Range(1, 5).Select(n => DataSubset.TryParse($"{n}/5")!.Select(packs)).ToList();
        Assert.Equal(packs.Count, parts.Sum(p => p.Count));
        Assert.Equal(packs.ToHashSet(), parts.SelectMany(p => p).ToHashSet());
        Assert.All(parts, p => Assert.NotEmpty(p));

        Assert.Equal(12.5, DataSubset.TryParse("12.5%")!.Percent);
        foreach (var bad in new[] { "0%", "101%", "-5%", "abc", "0/3", "4/3", "1/0", "%", "/", "5" })
        {
            Assert.Null(DataSubset.TryParse(bad));
        }
    }

    [Fact]
    public async Task A_damaged_blob_is_found_by_a_rotating_subset_within_one_rotation_and_the_cursor_moves_on()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var packs = await TestRepository.ListAsync(sample.Store, BlobKind.Pack);
        var target = BlobName.For(BlobKind.Pack, sample.DataPacks["β"]);
        var content = await sample.Store.GetAsync(target, Ct);
        content[20] ^= 0x10; // inside the first blob's envelope
        await sample.Store.PutAsync(target, content, Ct);

        using var repository = await HortRepository.OpenAsync(sample.Store, TestRepository.Password, cancellationToken: Ct);
        ObjectId? cursor = null;
        var found = -1;
        var read = 0;
        var runs = (int)Math.Ceiling(100 / 30.0);
        for (var run = 0; run < runs; run++)
        {
            var report = await new Checker(repository).RunAsync(new CheckOptions { ReadDataSubset = DataSubset.OfPercent(30) with { Cursor = cursor } }, Ct);
            Assert.Equal(packs.Count, report.PacksTotal);
            read += report.PacksRead;
            Assert.NotNull(report.NextSubsetCursor);
            Assert.NotEqual(cursor, report.NextSubsetCursor);
            cursor = report.NextSubsetCursor;
            if (!report.IsClean && found < 0)
            {
                found = run;
                Assert.Contains(report.Errors, e => e.Object == target.ToString() || e.Object.Contains(sample.DataPacks["β"].ToString(), StringComparison.Ordinal));
                Assert.Contains($"{sample.Snapshots[0].Label}: /home/bob/photo.jpg", CheckerTests.Affected(report));
            }
        }

        Assert.True(found >= 0, "no run of one rotation read the damaged pack");
        Assert.True(read >= packs.Count);
        var structure = await new Checker(repository).RunAsync(new CheckOptions(), Ct);
        Assert.True(structure.IsClean, "the structure check does not read data, so it cannot see the flip");
    }

    [Fact]
    public async Task Tree_entries_named_dot_dotdot_or_with_a_slash_or_NUL_are_problems_that_name_their_paths()
    {
        var store = new InMemoryBlobStore();
        using (var repository = await TestRepository.InitAsync(store))
        using (var writer = new BlobWriter(repository))
        {
            var bad = new[] { ".", "..", "a/b", "nul\0x" }
                .Select(n => new TreeNode { Name = NameText.FromText(n), Type = NodeType.Symlink, LinkTarget = "t"u8.ToArray(), LinkCount = 1 })
                .Append(new TreeNode { Name = "fine"u8.ToArray(), Type = NodeType.Symlink, LinkTarget = "t"u8.ToArray(), LinkCount = 1 })
                .ToList();
            var sub = await writer.SaveTreeAsync(new Tree(bad), Ct);
            var root = await writer.SaveTreeAsync(new Tree([new TreeNode { Name = "dir"u8.ToArray(), Type = NodeType.Directory, Subtree = sub, LinkCount = 2 }]), Ct);
            await writer.FlushAsync(Ct);
            await repository.SaveSnapshotAsync(new Snapshot { Time = DateTimeOffset.UnixEpoch, Tree = root, Paths = ["/dir"], Hostname = "h", Username = "u", Program = "test" }, Ct);
        }

        var report = await CheckerTests.CheckAsync(store, readData: true);

        var problem = Assert.Single(report.Errors);
        Assert.StartsWith("tree ", problem.Object, StringComparison.Ordinal);
        Assert.Contains("not allowed", problem.Description, StringComparison.Ordinal);
        Assert.Equal(4, problem.Affected.Count);
        Assert.Contains(problem.Affected, a => a.EndsWith(": /dir/.. (name not allowed; restore skips it)", StringComparison.Ordinal));
        Assert.Contains(problem.Affected, a => a.EndsWith(": /dir/a/b (name not allowed; restore skips it)", StringComparison.Ordinal));
        Assert.Contains(problem.Affected, a => a.EndsWith(": /dir/nul\\x00x (name not allowed; restore skips it)", StringComparison.Ordinal));
        Assert.DoesNotContain(problem.Affected, a => a.Contains("fine", StringComparison.Ordinal));
    }
}
