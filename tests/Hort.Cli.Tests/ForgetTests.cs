using System.Text.Json;
using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary><c>hort forget</c> and <c>hort lock</c> as the real program.</summary>
public sealed class ForgetTests
{
    [Fact]
    public async Task Forget_without_ids_or_policy_is_a_usage_error_and_changes_nothing()
    {
        using var repo = await CliRepository.CreateAsync("forget-usage");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(1));
        await repo.BackupAsync(src);

        var result = await repo.RunAsync("forget");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("needs snapshot IDs or at least one --keep-* rule", result.Stderr);
        Assert.Single(repo.SnapshotFiles());
    }

    [Fact]
    public async Task Keep_last_per_host_and_paths_shows_its_reasons_in_a_dry_run_then_forgets_the_rest()
    {
        using var repo = await CliRepository.CreateAsync("forget-policy");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(2));
        var a1 = await repo.BackupAsync(src);
        var a2 = await repo.BackupAsync(src);
        var a3 = await repo.BackupAsync(src);
        var b1 = (await repo.RunOkAsync("backup", "--quiet", "--host", "office-pc", src)).PrintedIds().Single();

        var dry = await repo.RunOkAsync("forget", "--keep-last", "2", "--dry-run");
        Assert.Contains("host [office-pc]", dry.Stdout);
        Assert.Contains("would remove 1 snapshot(s)", dry.Stdout);
        Assert.Contains(a1[..8], dry.Stdout);
        Assert.Contains("last", dry.Stdout);
        Assert.Equal(4, repo.SnapshotFiles().Count);

        var json = await repo.RunOkAsync("forget", "--keep-last", "2", "--dry-run", "--json");
        using (var doc = JsonDocument.Parse(json.Stdout))
        {
            var groups = doc.RootElement.EnumerateArray().ToList();
            Assert.Equal(2, groups.Count);
            var removed = groups.SelectMany(g => g.GetProperty("remove").EnumerateArray()).Select(s => s.GetProperty("id").GetString()).ToList();
            Assert.Equal([a1], removed);
            var reasons = groups.SelectMany(KeptWithReasons).ToDictionary();
            Assert.Equal(["last"], reasons[a3]);
            Assert.Equal(["last"], reasons[b1]);
        }

        await repo.RunOkAsync("forget", "--keep-last", "2");
        Assert.Equal(new[] { a2, a3, b1 }.Order(), repo.SnapshotFiles().Order());

        // Filters: only office-pc's snapshots are considered.
        await repo.RunOkAsync("forget", "--keep-last", "1", "--host", "office-pc");
        Assert.Equal(new[] { a2, a3, b1 }.Order(), repo.SnapshotFiles().Order());
        await repo.RunOkAsync("forget", "--keep-last", "1", "--group-by", "");
        Assert.Equal([b1], repo.SnapshotFiles());
    }

    [Fact]
    public async Task Forget_by_id_removes_exactly_those_snapshots_and_the_rest_still_restores()
    {
        using var repo = await CliRepository.CreateAsync("forget-ids");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(3));
        var first = await repo.BackupAsync(src);
        var second = await repo.BackupAsync(src);

        var result = await repo.RunOkAsync("forget", first[..8]);

        Assert.Contains("1 snapshot(s) forgotten", result.Stdout);
        Assert.Equal([second], repo.SnapshotFiles());
        await repo.RunOkAsync("check");
        var target = await repo.RestoreAsync(second, repo.Dir.Sub("restore"));
        Assert.True(TreeManifest.Of(src).Equals(TreeManifest.Of(Path.Join(target, src))));
    }

    [Fact]
    public async Task The_history_lock_protects_young_snapshots_from_every_kind_of_forget_and_lowering_it_waits()
    {
        using var repo = await CliRepository.CreateAsync("forget-lock");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(4));
        var first = await repo.BackupAsync(src);
        var second = await repo.BackupAsync(src);

        var show = await repo.RunOkAsync("lock", "show");
        Assert.Contains("history lock: off", show.Stdout);
        var set = await repo.RunOkAsync("lock", "set", "--days", "30");
        Assert.Contains("30 day(s) in force", set.Stdout);

        var byId = await repo.RunAsync("forget", first);
        Assert.Equal(1, byId.ExitCode);
        Assert.Contains("history lock (30 days) protects", byId.Stderr);
        Assert.DoesNotContain("remove", byId.Stdout); // no removal list for a forget that does not happen

        var policy = await repo.RunOkAsync("forget", "--keep-last", "1", "--json");
        using (var doc = JsonDocument.Parse(policy.Stdout))
        {
            var group = Assert.Single(doc.RootElement.EnumerateArray().ToList());
            Assert.Empty(group.GetProperty("remove").EnumerateArray());
            var reasons = KeptWithReasons(group).ToDictionary();
            Assert.Equal(["history lock"], reasons[first]);
            Assert.Equal(["last", "history lock"], reasons[second]);
        }

        // Someone with the password switches the lock off: it still holds for the 30 days locked before.
        var off = await repo.RunOkAsync("lock", "set", "--days", "0");
        Assert.Contains("30 day(s) in force", off.Stdout);
        Assert.Contains("requested: 0 day(s)", off.Stdout);
        Assert.Equal(1, (await repo.RunAsync("forget", first)).ExitCode);

        var json = await repo.RunOkAsync("lock", "show", "--json");
        using (var doc = JsonDocument.Parse(json.Stdout))
        {
            Assert.Equal(30, doc.RootElement.GetProperty("effective_days").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("requested_days").GetInt32());
            Assert.Equal(2, doc.RootElement.GetProperty("records").GetArrayLength());
        }

        Assert.Equal(2, repo.SnapshotFiles().Count);
    }

    /// <summary>The kept snapshots of one group of <c>forget --json</c> with the rules that keep each.</summary>
    private static IEnumerable<KeyValuePair<string, List<string?>>> KeptWithReasons(JsonElement group) =>
        group.GetProperty("keep").EnumerateArray().Select(s => KeyValuePair.Create(
            s.GetProperty("id").GetString()!, s.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ToList()));
}
