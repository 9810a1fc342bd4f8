using System.Net;
using Hort.Core;
using Hort.Engine.Restore;
using Hort.Protocol;
using Hort.Repository.Checking;
using Hort.Repository.Snapshots;

namespace Hort.Agent.Tests.EndToEnd;

/// <summary>
/// The real hortd and real agents: a restore runs beside a backup when the policy allows two jobs, a running backup is
/// cancelled (no snapshot, the next backup succeeds, check is clean), a running restore is cancelled, and backups wait
/// for the server's backup slots, which a killed agent cannot keep. Transfers are slowed with the agent's own
/// <c>--limit-upload</c> and <c>--limit-download</c>.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class JobControlTests : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hort-jobs-").FullName;
    private readonly List<AgentProcess> _agents = [];
    private Hortd? _server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents) await agent.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
        Directory.Delete(_root, true);
    }

    private string Diagnostics() =>
        "server:\n" + _server?.Output + string.Concat(_agents.Select((a, i) => $"\nagent {i}:\n{a.Output}"));

    private async Task<AgentProcess> EnrollAsync(string name, PolicyDto policy)
    {
        var agent = new AgentProcess(Path.Combine(_root, name, "state"));
        _agents.Add(agent);
        await agent.EnrollAsync(_server!, await _server!.EnrollmentCodeAsync(name));
        await _server.SetPolicyAsync(agent.PcId, policy);
        return agent;
    }

    /// <summary>Files of random bytes (incompressible, so every byte is uploaded) below <paramref name="folder"/>.</summary>
    private static async Task AddDataAsync(string folder, int files, int seed)
    {
        Directory.CreateDirectory(folder);
        for (var i = 0; i < files; i++) await File.WriteAllBytesAsync(Path.Combine(folder, $"part-{i}.bin"), SourceTree.Random(4 << 20, seed + i), Ct);
    }

    [Fact]
    public async Task A_pushed_restore_runs_beside_a_running_backup_which_is_then_cancelled_and_the_next_backup_succeeds()
    {
        _server = await Hortd.StartAsync(Path.Combine(_root, "server"));
        var source = SourceTree.Create(Path.Combine(_root, "pc", "data"), 1, ownBytes: 1 << 20);
        var agent = await EnrollAsync("pc", Hortd.Always(source) with { Concurrency = 2 });
        agent.Start("--limit-upload", "256");
        var first = (await _server.WaitForSnapshotsAsync(agent.PcId, 1, Diagnostics))[0];

        // A backup of 24 MiB more at 256 KiB/s (about 96 s): it is still uploading while the restore below runs, also on a
        // busy machine; it is cancelled right after, so the slow upload costs the test no time.
        await AddDataAsync(Path.Combine(source, "big"), 6, 100);
        var backup = await _server.QueueBackupAsync(agent.PcId);
        await _server.WaitForJobAsync(agent.PcId, (j, log) => j.Id == backup.Id && log.Any(e => e.Message.Contains("session", StringComparison.Ordinal)), Diagnostics);

        var target = Path.Combine(_root, "pc", "restored");
        var restore = await _server.SendAsync(HttpMethod.Post, Routes.Format(Routes.PcRestores, agent.PcId),
            new RestoreRequest(first.Id, null, target), ProtocolJson.Default.RestoreRequest, ProtocolJson.Default.JobDto);
        var restored = await _server.WaitForJobAsync(restore.Id, Diagnostics);
        Assert.True(restored.State == JobValues.Succeeded, $"restore: {restored.State} {restored.Message}\n{Diagnostics()}");
        Assert.Null((await _server.JobAsync(backup.Id)).Finished);
        Assert.Equal(SourceTree.Hashes(Path.Combine(source, "docs")), SourceTree.Hashes(target + Path.Combine(source, "docs")));

        var (status, cancelling) = await _server.CancelAsync(backup.Id);
        Assert.Equal(HttpStatusCode.Accepted, status);
        // The agent may already have stopped it by the time the answer is written.
        Assert.Contains(cancelling!.State, new[] { JobValues.Cancelling, JobValues.Cancelled });
        var cancelled = await _server.WaitForJobAsync(backup.Id, Diagnostics);
        Assert.True(cancelled.State == JobValues.Cancelled, $"{cancelled.State} {cancelled.Message}\n{Diagnostics()}");
        Assert.Equal(HttpStatusCode.Conflict, (await _server.CancelAsync(backup.Id)).Status);
        Assert.Single(await _server.SnapshotsAsync(agent.PcId));
        var log = await _server.JobLogAsync(backup.Id);
        Assert.Contains(log, e => e.Message.Contains("cancel requested by admin", StringComparison.Ordinal));

        // Without the limit, the next backup sends the rest and commits.
        await agent.StopAsync();
        agent.Start();
        var next = await _server.QueueBackupAsync(agent.PcId);
        var done = await _server.WaitForJobAsync(next.Id, Diagnostics);
        Assert.True(done.State == JobValues.Succeeded, $"{done.State} {done.Message}\n{Diagnostics()}");

        // A restore of the 24 MiB, downloading at 256 KiB/s, cancelled midway: it stops writing and reports cancelled.
        await agent.StopAsync();
        agent.Start("--limit-download", "256");
        var partial = Path.Combine(_root, "pc", "partial");
        var slowRestore = await _server.SendAsync(HttpMethod.Post, Routes.Format(Routes.PcRestores, agent.PcId),
            new RestoreRequest(done.SnapshotId!, null, partial), ProtocolJson.Default.RestoreRequest, ProtocolJson.Default.JobDto);
        await _server.WaitForJobAsync(agent.PcId, (j, log) => j.Id == slowRestore.Id && log.Any(e => e.Message.StartsWith("restoring snapshot", StringComparison.Ordinal)), Diagnostics);
        Assert.NotEqual(HttpStatusCode.Conflict, (await _server.CancelAsync(slowRestore.Id)).Status);
        var stopped = await _server.WaitForJobAsync(slowRestore.Id, Diagnostics);
        Assert.True(stopped.State == JobValues.Cancelled, $"{stopped.State} {stopped.Message}\n{Diagnostics()}");
        Assert.Contains(await _server.JobLogAsync(slowRestore.Id), e => e.Message.StartsWith("restore cancelled", StringComparison.Ordinal));
        var big = Path.Combine(partial + source, "big");
        Assert.False(Directory.Exists(big) && SourceTree.Hashes(big).SequenceEqual(SourceTree.Hashes(Path.Combine(source, "big"))), "the cancelled restore wrote everything");
        await agent.StopAsync();

        using var repository = await _server.OpenRepositoryAsync();
        var report = await new Checker(repository).RunAsync(new CheckOptions { ReadData = true }, Ct);
        Assert.True(report.Errors.Count == 0, string.Join("\n", report.Errors.Select(e => e.ToString())));
        var latest = ObjectId.Parse(done.SnapshotId!);
        var restoredAll = Path.Combine(_root, "restored-all");
        await new Restorer(repository, new RestoreOptions { Target = restoredAll, RestoreOwnership = false })
            .RunAsync(new StoredSnapshot(latest, await repository.LoadSnapshotAsync(latest, Ct)), Ct);
        SourceTree.AssertSame(source, restoredAll + source);
    }

    [Fact]
    public async Task A_backup_waits_for_a_server_slot_and_gets_the_one_a_killed_agent_held()
    {
        _server = await Hortd.StartAsync(Path.Combine(_root, "server"), new Dictionary<string, string>
        {
            ["HORTD_JOBS__MAXCONCURRENTBACKUPS"] = "1",
            ["HORTD_JOBS__BACKUPSLOTIDLESECONDS"] = "10",
        });
        var bigSource = SourceTree.Create(Path.Combine(_root, "big", "data"), 1, ownBytes: 1 << 20);
        await AddDataAsync(Path.Combine(bigSource, "big"), 8, 200);
        var smallSource = SourceTree.Create(Path.Combine(_root, "small", "data"), 2, ownBytes: 1 << 20);
        var holder = await EnrollAsync("big", Hortd.Always(bigSource));
        var waiter = await EnrollAsync("small", Hortd.Always(smallSource));

        holder.Start("--limit-upload", "2048");
        await _server.WaitForJobAsync(holder.PcId, (_, log) => log.Any(e => e.Message.Contains("backup session", StringComparison.Ordinal)), Diagnostics);
        waiter.Start();
        var waiting = await _server.WaitForJobAsync(waiter.PcId, (j, _) => j.State == JobValues.Waiting, Diagnostics);
        Assert.Empty(await _server.SnapshotsAsync(waiter.PcId));

        // The holder dies without a word; its slot is released once it has been idle, and the waiting backup runs.
        await holder.KillAsync();
        var done = await _server.WaitForJobAsync(waiting.Id, Diagnostics);
        Assert.True(done.State == JobValues.Succeeded, $"{done.State} {done.Message}\n{Diagnostics()}");
        Assert.Contains(await _server.JobLogAsync(waiting.Id), e => e.Message.Contains("waiting for a free backup slot", StringComparison.Ordinal));

        // Back again, the killed agent resumes its job in its still open session and commits.
        holder.Start();
        var snapshot = (await _server.WaitForSnapshotsAsync(holder.PcId, 1, Diagnostics))[0];
        Assert.Equal([bigSource], snapshot.Paths);
    }
}
