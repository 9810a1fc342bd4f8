using System.Diagnostics;
using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary>
/// kill -9 at random moments of real <c>hort backup</c> processes: the repository stays valid without any unlock,
/// every committed snapshot restores byte-identical, and the next backup reuses what the killed ones stored.
/// Set HORT_KILL_LOOPS for a longer run and HORT_KILL_SEED to replay one.
/// </summary>
public sealed class KillTests
{
    private const int BigFiles = 6;
    private const int BigFileSize = 10 << 20;
    private const int SmallFiles = 40;
    private static readonly TimeSpan ShortestDelay = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task Backups_killed_at_random_moments_leave_a_valid_repository_and_their_data_is_reused()
    {
        var loops = int.TryParse(Environment.GetEnvironmentVariable("HORT_KILL_LOOPS"), out var n) && n > 0 ? n : 12;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HORT_KILL_SEED"), out var s) ? s : Environment.TickCount;
        Log($"HORT_KILL_SEED={seed} HORT_KILL_LOOPS={loops}");
        var random = new Random(seed);
        using var repo = await CliRepository.CreateAsync("kill");
        var data = new ChangingDataSet(repo.Dir.Sub("src"), random);
        var committed = new Dictionary<string, TreeManifest>();

        var typical = await CompleteBackupAsync(repo, data, committed);
        for (var i = 1; i <= loops; i++)
        {
            data.ChangeSome(i);
            var manifest = TreeManifest.Of(data.Root);
            var delay = TimeSpan.FromMilliseconds(random.Next((int)ShortestDelay.TotalMilliseconds, Math.Max(51, (int)typical.TotalMilliseconds)));
            HortResult result;
            await using (var running = repo.Hort.Start("backup", data.Root))
            {
                await Task.Delay(delay, TestContext.Current.CancellationToken);
                running.Kill();
                result = await running.WaitAsync(HortProcess.DefaultTimeout);
            }

            var added = RecordNewSnapshots(repo, committed, manifest);
            Log($"loop {i}: killed after {delay.TotalMilliseconds:0} ms: exit {result.ExitCode}, {added} snapshot(s) committed");
            Assert.True(result.ExitCode is 0 or 137, $"loop {i}: {result}");

            // No unlock, no repair: the very next command works, and leftover packs are notes, not errors.
            var check = await repo.RunAsync("check");
            Assert.True(check.ExitCode == 0, $"check after kill {i} (seed {seed}): {check}");

            if (i % 3 == 0)
            {
                typical = await CompleteBackupAsync(repo, data, committed);
                var readData = await repo.RunAsync("check", "--read-data");
                Assert.True(readData.ExitCode == 0, $"check --read-data after loop {i} (seed {seed}): {readData}");
            }
        }

        await KillOnceMostDataIsStoredThenBackUpAgainAsync(repo, data, committed);

        var final = await repo.RunAsync("check", "--read-data");
        Assert.True(final.ExitCode == 0, $"final check --read-data (seed {seed}): {final}");
        Assert.Equal(committed.Keys.Order(), (await repo.SnapshotIdsAsync()).Order());
        foreach (var (id, manifest) in committed)
        {
            var target = repo.Dir.Sub("restore-" + id[..8]);
            await repo.RestoreAsync(id, target);
            var restored = TreeManifest.Of(Path.Join(target, data.Root));
            Assert.True(manifest.Equals(restored), $"snapshot {id[..8]} (seed {seed}):\n{manifest.DifferencesFrom(restored)}");
            Directory.Delete(target, recursive: true);
        }
    }

    /// <summary>
    /// Rewrites every large file, kills the backup once at least three quarters of the new data sit in finished
    /// packs, and checks that the next backup stores only the rest: the killed run's packs were adopted.
    /// </summary>
    private static async Task KillOnceMostDataIsStoredThenBackUpAgainAsync(CliRepository repo, ChangingDataSet data, Dictionary<string, TreeManifest> committed)
    {
        long fresh = 0;
        TreeManifest? manifest = null;
        var killedMidway = false;
        for (var attempt = 1; attempt <= 5 && !killedMidway; attempt++)
        {
            fresh = data.ChangeAllLargeFiles();
            manifest = TreeManifest.Of(data.Root);
            var packsBefore = repo.Packs();
            bool killed;
            HortResult result;
            await using (var running = repo.Hort.Start("backup", data.Root))
            {
                while (!running.HasExited && NewPackBytes(repo, packsBefore) < fresh * 3 / 4)
                {
                    await Task.Delay(2, TestContext.Current.CancellationToken);
                }

                killed = running.Kill();
                result = await running.WaitAsync(HortProcess.DefaultTimeout);
            }

            var added = RecordNewSnapshots(repo, committed, manifest);
            Log($"reuse attempt {attempt}: {NewPackBytes(repo, packsBefore)} of {fresh} new bytes in packs, exit {result.ExitCode}, {added} snapshot(s) committed");
            Assert.True(result.ExitCode is 0 or 137, result.ToString());
            killedMidway = killed && added == 0;
        }

        Assert.True(killedMidway, "every backup finished before it could be killed halfway");
        var check = await repo.RunAsync("check");
        Assert.True(check.ExitCode == 0, check.ToString());

        var summary = await repo.BackupJsonAsync(data.Root);
        committed[summary.GetProperty("snapshot_id").GetString()!] = manifest!;
        var stored = summary.GetProperty("data_added_stored").GetInt64();
        Log($"backup after the kill stored {stored} of {fresh} new bytes (data set {data.TotalBytes} bytes)");
        Assert.True(stored < fresh / 2, $"the backup after the kill stored {stored} bytes of {fresh} new: the killed run's packs were not reused");
        Assert.True(stored < data.TotalBytes / 4, $"stored {stored} bytes of a {data.TotalBytes}-byte data set");
    }

    private static async Task<TimeSpan> CompleteBackupAsync(CliRepository repo, ChangingDataSet data, Dictionary<string, TreeManifest> committed)
    {
        var manifest = TreeManifest.Of(data.Root);
        var clock = Stopwatch.StartNew();
        var id = await repo.BackupAsync(data.Root);
        var took = clock.Elapsed;
        committed[id] = manifest;
        Log($"complete backup {id[..8]} took {took.TotalMilliseconds:0} ms");
        return took;
    }

    /// <summary>Adds snapshots not seen before (a killed run may have committed just before the signal).</summary>
    private static int RecordNewSnapshots(CliRepository repo, Dictionary<string, TreeManifest> committed, TreeManifest manifest)
    {
        var fresh = repo.SnapshotFiles().Where(id => !committed.ContainsKey(id)).ToList();
        Assert.True(fresh.Count <= 1, $"one backup run committed {fresh.Count} snapshots");
        foreach (var id in fresh)
        {
            committed[id] = manifest;
        }

        return fresh.Count;
    }

    private static long NewPackBytes(CliRepository repo, IReadOnlyDictionary<string, long> before)
    {
        try
        {
            return repo.Packs().Where(p => !before.ContainsKey(p.Key)).Sum(p => p.Value);
        }
        catch (IOException)
        {
            return 0; // a pack was renamed into place while we listed; look again
        }
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>~70 MB of random files (six of 10 MB, forty small ones in folders) that the test keeps changing.</summary>
    private sealed class ChangingDataSet
    {
        private readonly Random _random;

        public ChangingDataSet(string root, Random random)
        {
            Root = root;
            _random = random;
            for (var i = 0; i < BigFiles; i++)
            {
                RandomFiles.Write(BigFile(i), BigFileSize, random);
            }

            for (var i = 0; i < SmallFiles; i++)
            {
                RandomFiles.Write(SmallFile(i), random.Next(0, 300_000), random);
            }
        }

        public string Root { get; }

        public long TotalBytes => Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

        /// <summary>New content for one large and three small files (over 10 MB the repository has never seen).</summary>
        public void ChangeSome(int round)
        {
            RandomFiles.Write(BigFile(round % BigFiles), BigFileSize, _random);
            for (var i = 0; i < 3; i++)
            {
                RandomFiles.Write(SmallFile(_random.Next(SmallFiles)), _random.Next(0, 300_000), _random);
            }
        }

        /// <summary>New content for every large file; returns how many new bytes that is.</summary>
        public long ChangeAllLargeFiles()
        {
            for (var i = 0; i < BigFiles; i++)
            {
                RandomFiles.Write(BigFile(i), BigFileSize, _random);
            }

            return (long)BigFiles * BigFileSize;
        }

        private string BigFile(int i) => Path.Combine(Root, $"disk-image-{i}.bin");

        private string SmallFile(int i) => Path.Combine(Root, $"folder-{i % 5}", $"sub-{i % 3}", $"document-{i}.dat");
    }
}
