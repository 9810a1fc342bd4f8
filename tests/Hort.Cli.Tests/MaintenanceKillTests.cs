using System.Diagnostics;
using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary>
/// kill -9 at random moments of real <c>hort backup</c>, <c>forget</c>, <c>forget --prune</c> and <c>prune</c>
/// processes: after every kill <c>check</c> is clean without any unlock, no committed snapshot is lost unless a forget
/// chose it, and every snapshot restores byte-identical. HORT_MAINTENANCE_KILL_LOOPS sets the number of kills
/// (default 24), HORT_KILL_SEED replays a run.
/// </summary>
public sealed class MaintenanceKillTests
{
    private enum Operation { Backup, Forget, ForgetAndPrune, Prune }

    [Fact]
    public async Task Backup_forget_and_prune_killed_at_random_moments_leave_a_valid_repository_that_needs_no_unlock()
    {
        var loops = int.TryParse(Environment.GetEnvironmentVariable("HORT_MAINTENANCE_KILL_LOOPS"), out var n) && n > 0 ? n : 24;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HORT_KILL_SEED"), out var s) ? s : Environment.TickCount;
        Log($"HORT_KILL_SEED={seed} HORT_MAINTENANCE_KILL_LOOPS={loops}");
        var random = new Random(seed);
        using var repo = await CliRepository.CreateAsync("kill-maintenance");
        var src = repo.Dir.Sub("src");
        var committed = new Dictionary<string, TreeManifest>();
        for (var i = 0; i < 6; i++) RandomFiles.Write(BigFile(src, i), 3 << 20, random);
        for (var i = 0; i < 20; i++) RandomFiles.Write(SmallFile(src, i), random.Next(0, 200_000), random);

        // How long each operation takes when it is not killed: kill moments are spread over that span.
        var typical = new Dictionary<Operation, TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            ChangeSome(src, random);
            typical[Operation.Backup] = await TimeAsync(() => BackupAsync(repo, src, committed));
        }

        typical[Operation.Forget] = await TimeAsync(() => ForgetAsync(repo, committed));
        typical[Operation.ForgetAndPrune] = typical[Operation.Forget];
        typical[Operation.Prune] = await TimeAsync(() => repo.RunOkAsync("prune"));
        Log(string.Join(", ", typical.Select(t => $"{t.Key} {t.Value.TotalMilliseconds:0} ms")));

        var killed = 0;
        for (var loop = 1; loop <= loops; loop++)
        {
            var operation = (Operation)random.Next(4);
            string[] args;
            TreeManifest? manifest = null;
            if (operation == Operation.Backup)
            {
                ChangeSome(src, random);
                manifest = TreeManifest.Of(src);
                args = ["backup", "--quiet", src];
            }
            else
            {
                // Give forget and prune something to do: more snapshots, and (for prune) unused data.
                while (committed.Count < 4)
                {
                    ChangeSome(src, random);
                    await BackupAsync(repo, src, committed);
                }

                if (operation == Operation.Prune)
                {
                    await ForgetAsync(repo, committed);
                }

                args = operation switch
                {
                    Operation.Forget => ["forget", "--keep-last", "2"],
                    Operation.ForgetAndPrune => ["forget", "--keep-last", "2", "--prune", "--max-unused", $"{random.Next(0, 30)}%"],
                    _ => ["prune", "--max-unused", $"{random.Next(0, 30)}%"],
                };
            }

            var delay = TimeSpan.FromMilliseconds(random.Next(0, (int)(typical[operation].TotalMilliseconds * 1.2) + 1));
            HortResult result;
            bool wasKilled;
            await using (var running = repo.Hort.Start(args))
            {
                await Task.Delay(delay, TestContext.Current.CancellationToken);
                wasKilled = running.Kill();
                result = await running.WaitAsync(HortProcess.DefaultTimeout);
            }

            killed += wasKilled ? 1 : 0;
            Assert.True(result.ExitCode is 0 or 137, $"loop {loop} (seed {seed}), {string.Join(' ', args)}: {result}");
            var present = repo.SnapshotFiles().ToHashSet();
            var fresh = present.Where(id => !committed.ContainsKey(id)).ToList();
            var gone = committed.Keys.Where(id => !present.Contains(id)).ToList();
            Log($"loop {loop}: {string.Join(' ', args.Where(a => a != src && a != "--quiet"))} killed after {delay.TotalMilliseconds:0} ms " +
                $"(exit {result.ExitCode}): {fresh.Count} snapshot(s) committed, {gone.Count} forgotten");
            if (operation == Operation.Backup)
            {
                Assert.True(fresh.Count <= 1 && gone.Count == 0, $"loop {loop} (seed {seed}): a backup committed {fresh.Count} and removed {gone.Count}");
                foreach (var id in fresh) committed[id] = manifest!;
            }
            else
            {
                Assert.True(fresh.Count == 0, $"loop {loop} (seed {seed}): {args[0]} made snapshots");
                Assert.True(operation == Operation.Prune ? gone.Count == 0 : present.Count >= 2, $"loop {loop} (seed {seed}): {gone.Count} snapshot(s) lost");
                foreach (var id in gone) committed.Remove(id);
            }

            // No unlock, no repair: the very next command works.
            var check = await repo.RunAsync("check");
            Assert.True(check.ExitCode == 0, $"check after loop {loop} (seed {seed}): {check}");
            if (loop % 6 == 0)
            {
                await AssertRestoresAsync(repo, src, committed, seed);
            }
        }

        var final = CliRepository.LastJsonLine((await repo.RunOkAsync("prune", "--json")).Stdout);
        Assert.Contains(final.GetProperty("outcome").GetString(), new[] { "completed", "nothing_to_do" });
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.Combine(repo.RepositoryPath, "deletions")), f => !Path.GetFileName(f).StartsWith('.'));
        var readData = await repo.RunAsync("check", "--read-data");
        Assert.True(readData.ExitCode == 0, $"final check --read-data (seed {seed}): {readData}");
        await AssertRestoresAsync(repo, src, committed, seed);
        Log($"{loops} loops, {killed} processes killed before they finished, {committed.Count} snapshots restored at the end");
    }

    private static async Task AssertRestoresAsync(CliRepository repo, string src, Dictionary<string, TreeManifest> committed, int seed)
    {
        Assert.Equal(committed.Keys.Order(), repo.SnapshotFiles().Order());
        foreach (var (id, manifest) in committed)
        {
            var target = repo.Dir.Sub("restore-" + id[..8] + "-" + Guid.NewGuid().ToString("N")[..6]);
            await repo.RestoreAsync(id, target);
            var restored = TreeManifest.Of(Path.Join(target, src));
            Assert.True(manifest.Equals(restored), $"snapshot {id[..8]} (seed {seed}):\n{manifest.DifferencesFrom(restored)}");
            Directory.Delete(target, recursive: true);
        }
    }

    private static async Task BackupAsync(CliRepository repo, string src, Dictionary<string, TreeManifest> committed)
    {
        var manifest = TreeManifest.Of(src);
        committed[await repo.BackupAsync(src)] = manifest;
    }

    private static async Task ForgetAsync(CliRepository repo, Dictionary<string, TreeManifest> committed)
    {
        await repo.RunOkAsync("forget", "--keep-last", "2");
        var present = repo.SnapshotFiles().ToHashSet();
        foreach (var id in committed.Keys.Where(id => !present.Contains(id)).ToList()) committed.Remove(id);
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> run)
    {
        var clock = Stopwatch.StartNew();
        await run();
        return clock.Elapsed;
    }

    /// <summary>New content for one large and three small files.</summary>
    private static void ChangeSome(string src, Random random)
    {
        RandomFiles.Write(BigFile(src, random.Next(6)), 3 << 20, random);
        for (var i = 0; i < 3; i++) RandomFiles.Write(SmallFile(src, random.Next(20)), random.Next(0, 200_000), random);
    }

    private static string BigFile(string src, int i) => Path.Combine(src, $"image-{i}.bin");

    private static string SmallFile(string src, int i) => Path.Combine(src, $"folder-{i % 4}", $"doc-{i}.dat");

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);
}
