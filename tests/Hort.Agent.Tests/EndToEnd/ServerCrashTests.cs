using Hort.Core;
using Hort.Engine.Restore;
using Hort.Protocol;
using Hort.Repository.Snapshots;

namespace Hort.Agent.Tests.EndToEnd;

/// <summary>
/// kill -9 of hortd while an agent uploads, then a restart on the same folder and port: the agent resumes its open
/// session and completes, and the snapshot committed before the crash is intact.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class ServerCrashTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hort-crash-").FullName;
    private AgentProcess _agent = null!;
    private Hortd _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await Hortd.StartAsync(Path.Combine(_root, "server"));
        _agent = new AgentProcess(Path.Combine(_root, "pc", "state"));
    }

    public async ValueTask DisposeAsync()
    {
        await _agent.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_root, true);
    }

    private string Diagnostics() => $"server:\n{_server.Output}\nagent:\n{_agent.Output}";

    [Fact]
    public async Task The_agent_resumes_after_the_server_is_killed_during_uploads_and_committed_snapshots_stay_intact()
    {
        var source = SourceTree.Create(Path.Combine(_root, "pc", "data"), 7, ownBytes: 1 << 20);
        await _agent.EnrollAsync(_server, await _server.EnrollmentCodeAsync("pc"));
        await _server.SetPolicyAsync(_agent.PcId, Hortd.Always(source));
        _agent.Start();
        var first = (await _server.WaitForSnapshotsAsync(_agent.PcId, 1, Diagnostics))[0];

        // A second backup with much new data; the server dies as soon as uploads of it have begun.
        var big = Path.Combine(source, "big");
        Directory.CreateDirectory(big);
        for (var i = 0; i < 12; i++) await File.WriteAllBytesAsync(Path.Combine(big, $"part-{i}.bin"), SourceTree.Random(8 << 20, 100 + i), Ct);
        var packsBefore = Packs();
        var job = await _server.QueueBackupAsync(_agent.PcId);
        await WaitUntilUploadingAsync(job.Id, packsBefore);
        Assert.Single(await _server.SnapshotsAsync(_agent.PcId));
        await _server.CrashAndRestartAsync();

        var done = await _server.WaitForJobAsync(job.Id, Diagnostics);
        Assert.True(done.State == JobValues.Succeeded, $"{done.State} {done.Message}\n{Diagnostics()}");
        var log = await _server.GetAsync(Routes.Format(Routes.JobLog, job.Id), ProtocolJson.Default.IReadOnlyListJobLogEntry);
        Assert.Contains(log, e => e.Message.Contains("resuming the open backup session", StringComparison.Ordinal));
        var snapshots = await _server.SnapshotsAsync(_agent.PcId);
        Assert.Equal(2, snapshots.Count);
        Assert.Contains(snapshots, s => s.Id == first.Id);

        // Both snapshots restore byte-identical from the repository itself.
        await _agent.StopAsync();
        using var repository = await _server.OpenRepositoryAsync();
        var second = snapshots.Single(s => s.Id != first.Id);
        var target = Path.Combine(_root, "restored-second");
        await new Restorer(repository, new RestoreOptions { Target = target, RestoreOwnership = false })
            .RunAsync(new StoredSnapshot(ObjectId.Parse(second.Id), await repository.LoadSnapshotAsync(ObjectId.Parse(second.Id), Ct)), Ct);
        SourceTree.AssertSame(source, target + source);

        var firstTarget = Path.Combine(_root, "restored-first");
        await new Restorer(repository, new RestoreOptions { Target = firstTarget, RestoreOwnership = false })
            .RunAsync(new StoredSnapshot(ObjectId.Parse(first.Id), await repository.LoadSnapshotAsync(ObjectId.Parse(first.Id), Ct)), Ct);
        Directory.Delete(big, true);
        SourceTree.AssertSame(source, firstTarget + source);
    }

    [Fact]
    public async Task An_agent_killed_during_its_backup_resumes_the_same_job_in_the_open_session_when_it_starts_again()
    {
        var source = SourceTree.Create(Path.Combine(_root, "pc", "data"), 8, ownBytes: 1 << 20);
        for (var i = 0; i < 8; i++) await File.WriteAllBytesAsync(Path.Combine(source, $"part-{i}.bin"), SourceTree.Random(8 << 20, 200 + i), Ct);
        await _agent.EnrollAsync(_server, await _server.EnrollmentCodeAsync("pc"));
        await _server.SetPolicyAsync(_agent.PcId, Hortd.Always(source));
        var packsBefore = Packs();
        _agent.Start();
        await WaitUntilUploadingAsync("(scheduled)", packsBefore);
        await _agent.KillAsync();
        Assert.Empty(await _server.SnapshotsAsync(_agent.PcId));

        _agent.Start();
        var snapshot = (await _server.WaitForSnapshotsAsync(_agent.PcId, 1, Diagnostics))[0];
        var jobs = await _server.GetAsync(Routes.Jobs + "?pcId=" + _agent.PcId, ProtocolJson.Default.IReadOnlyListJobDto);
        var job = await _server.WaitForJobAsync(Assert.Single(jobs).Id, Diagnostics);
        Assert.Equal((JobValues.Succeeded, snapshot.Id), (job.State, job.SnapshotId));
        var log = await _server.GetAsync(Routes.Format(Routes.JobLog, job.Id), ProtocolJson.Default.IReadOnlyListJobLogEntry);
        Assert.Contains(log, e => e.Message.Contains("resuming the open backup session", StringComparison.Ordinal));

        await _agent.StopAsync();
        using var repository = await _server.OpenRepositoryAsync();
        var target = Path.Combine(_root, "restored");
        await new Restorer(repository, new RestoreOptions { Target = target, RestoreOwnership = false })
            .RunAsync(new StoredSnapshot(ObjectId.Parse(snapshot.Id), await repository.LoadSnapshotAsync(ObjectId.Parse(snapshot.Id), Ct)), Ct);
        SourceTree.AssertSame(source, target + source);
    }

    private int Packs() => Directory.Exists(Path.Combine(_server.RepositoryPath, "data"))
        ? Directory.EnumerateFiles(Path.Combine(_server.RepositoryPath, "data"), "*", SearchOption.AllDirectories).Count()
        : 0;

    /// <summary>Waits until the server has written a pack of this backup's uploads.</summary>
    private async Task WaitUntilUploadingAsync(string jobId, int packsBefore)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (Packs() > packsBefore) return;
            await Task.Delay(10, Ct);
        }

        throw new Xunit.Sdk.XunitException($"the backup job {jobId} never stored a pack\n" + Diagnostics());
    }
}
