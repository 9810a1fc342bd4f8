using System.Text.Json;
using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary><c>hort prune</c> and <c>forget --prune</c> as the real program, alone and beside a running backup.</summary>
public sealed class PruneTests
{
    [Fact]
    public async Task Forget_with_prune_frees_the_space_a_dry_run_only_reports_it_and_the_rest_restores()
    {
        using var repo = await CliRepository.CreateAsync("prune");
        var src = repo.Dir.Sub("src");
        var random = new Random(5);
        for (var i = 0; i < 4; i++) RandomFiles.Write(Path.Combine(src, $"big-{i}.bin"), 3 << 20, random);
        await repo.BackupAsync(src);
        for (var i = 0; i < 4; i++) RandomFiles.Write(Path.Combine(src, $"big-{i}.bin"), 3 << 20, random);
        var kept = await repo.BackupAsync(src);
        var manifest = TreeManifest.Of(src);
        await repo.RunOkAsync("forget", "--keep-last", "1");
        var fingerprint = repo.Fingerprint();

        var dry = await repo.RunOkAsync("prune", "--dry-run");
        Assert.Contains("would be deleted", dry.Stdout);
        Assert.Contains("dry run: nothing was changed", dry.Stdout);
        Assert.Equal(fingerprint, repo.Fingerprint());

        var json = await repo.RunOkAsync("prune", "--dry-run", "--json");
        var plan = CliRepository.LastJsonLine(json.Stdout);
        Assert.Equal("dry_run", plan.GetProperty("outcome").GetString());
        Assert.True(plan.GetProperty("bytes_unused").GetInt64() >= 12 << 20);

        var before = repo.Packs().Values.Sum();
        var pruned = await repo.RunOkAsync("forget", "--keep-last", "1", "--prune", "--max-unused", "0%");
        Assert.Contains("deleted", pruned.Stdout);
        var after = repo.Packs().Values.Sum();
        Assert.True(before - after >= 12 << 20, $"packs: {before} bytes before, {after} after");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(repo.RepositoryPath, "deletions")));

        await repo.RunOkAsync("check", "--read-data");
        var target = await repo.RestoreAsync(kept, repo.Dir.Sub("restore"));
        Assert.True(manifest.Equals(TreeManifest.Of(Path.Join(target, src))));
        Assert.Contains("nothing to prune", (await repo.RunOkAsync("prune")).Stdout);
    }

    [Fact]
    public async Task Prune_stops_and_deletes_nothing_when_an_indexed_pack_is_missing()
    {
        using var repo = await CliRepository.CreateAsync("prune-refuses");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(6));
        var first = await repo.BackupAsync(src);
        RandomFiles.Write(Path.Combine(src, "more.bin"), 1 << 20, new Random(7));
        await repo.BackupAsync(src);
        await repo.RunOkAsync("forget", first);
        File.Delete(Path.Combine(repo.RepositoryPath, "data", repo.Packs().Keys.First()));
        var fingerprint = repo.Fingerprint();

        var result = await repo.RunAsync("prune");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("prune stopped and deleted nothing", result.Stderr);
        Assert.Contains("which is missing", result.Stderr);
        Assert.Equal(fingerprint, repo.Fingerprint());
    }

    [Fact]
    public async Task A_backup_running_while_prune_runs_in_another_process_keeps_everything_its_snapshot_needs()
    {
        using var repo = await CliRepository.CreateAsync("prune-concurrent");
        var src = repo.Dir.Sub("src");
        var random = new Random(8);
        for (var i = 0; i < 8; i++) RandomFiles.Write(Path.Combine(src, $"disk-{i}.img"), 4 << 20, random);
        var old = await repo.BackupAsync(src);

        // The next backup reuses the old data; forgetting the old snapshot makes all of it unused for prune.
        for (var i = 8; i < 20; i++) RandomFiles.Write(Path.Combine(src, $"disk-{i}.img"), 4 << 20, random);
        var manifest = TreeManifest.Of(src);
        await repo.RunOkAsync("forget", old);

        var outcomes = new List<string>();
        HortResult backup;
        await using (var running = repo.Hort.Start("backup", "--quiet", src))
        {
            while (!running.HasExited && !Directory.EnumerateFiles(Path.Combine(repo.RepositoryPath, "leases")).Any(f => !Path.GetFileName(f).StartsWith('.')))
            {
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }

            while (!running.HasExited || outcomes.Count == 0)
            {
                var prune = await repo.RunOkAsync("prune", "--json", "--max-unused", "0%");
                outcomes.Add(CliRepository.LastJsonLine(prune.Stdout).GetProperty("outcome").GetString()!);
            }

            backup = await running.WaitAsync(HortProcess.DefaultTimeout);
        }

        Assert.True(backup.ExitCode == 0, backup.ToString());
        TestContext.Current.TestOutputHelper?.WriteLine($"prune outcomes while the backup ran: {string.Join(", ", outcomes)}");
        var id = Assert.Single(backup.PrintedIds());

        var final = CliRepository.LastJsonLine((await repo.RunOkAsync("prune", "--json", "--max-unused", "0%")).Stdout);
        Assert.Contains(final.GetProperty("outcome").GetString(), new[] { "completed", "nothing_to_do" });
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(repo.RepositoryPath, "deletions")));
        await repo.RunOkAsync("check", "--read-data");
        var target = await repo.RestoreAsync(id, repo.Dir.Sub("restore"));
        Assert.True(manifest.Equals(TreeManifest.Of(Path.Join(target, src))), manifest.DifferencesFrom(TreeManifest.Of(Path.Join(target, src))));
    }
}
