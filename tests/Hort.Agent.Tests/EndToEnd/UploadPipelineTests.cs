using System.Net;
using Hort.Engine.Backup;
using Hort.Protocol;

namespace Hort.Agent.Tests.EndToEnd;

/// <summary>
/// The agent's upload pipeline against the real hortd: reading and uploading overlap through one background sender,
/// and a failed upload reaches the backup instead of being lost or leaving the reader waiting.
/// </summary>
[Trait("Category", "EndToEnd")]
public sealed class UploadPipelineTests : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hort-pipeline-").FullName;
    private Hortd? _server;
    private AgentProcess? _agent;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_agent is not null) await _agent.DisposeAsync();
        if (_server is not null) await _server.DisposeAsync();
        Directory.Delete(_root, true);
    }

    [Fact]
    public async Task A_backup_through_the_pipeline_commits_and_an_upload_refused_midway_fails_the_backup_with_the_servers_answer()
    {
        _server = await Hortd.StartAsync(Path.Combine(_root, "server"));
        _agent = new AgentProcess(Path.Combine(_root, "pc", "state"));
        await _agent.EnrollAsync(_server, await _server.EnrollmentCodeAsync("pc"));
        var source = SourceTree.Create(Path.Combine(_root, "pc", "data"), 1, ownBytes: 1 << 20);
        Directory.CreateDirectory(Path.Combine(source, "big"));
        for (var i = 0; i < 10; i++) await File.WriteAllBytesAsync(Path.Combine(source, "big", $"part-{i}.bin"), SourceTree.Random(4 << 20, 300 + i), Ct);

        using var client = ServerClient.For(_agent.Identity);
        using var keys = AgentService.KeysOf(_agent.Identity.Dedup);
        var options = new BackupOptions { Paths = [source], Hostname = "pc" };

        // A whole backup: more than the queue holds, so savers and the sender run side by side.
        var session = await client.OpenSessionAsync(new SessionCreateRequest(null, [source], null, DateTimeOffset.UtcNow), Ct);
        var target = new RemoteBackupTarget(client, session.SessionId, keys, TimeProvider.System);
        var result = await new Archiver(target, options).RunAsync(Ct);
        Assert.Equal(result.SnapshotId.ToString(), Assert.Single(await _server.SnapshotsAsync(_agent.PcId)).Id);

        // New data into a session the server closes while it uploads: the backup fails with the server's answer.
        for (var i = 0; i < 10; i++) await File.WriteAllBytesAsync(Path.Combine(source, "big", $"part-{i}.bin"), SourceTree.Random(4 << 20, 400 + i), Ct);
        var doomed = await client.OpenSessionAsync(new SessionCreateRequest(null, [source], null, DateTimeOffset.UtcNow), Ct);
        var limited = new RemoteBackupTarget(client, doomed.SessionId, keys, TimeProvider.System, new RateLimit(4 << 20, TimeProvider.System));
        var backup = new Archiver(limited, options).RunAsync(Ct);
        while (limited.BytesUploaded == 0 && !backup.IsCompleted) await Task.Delay(20, Ct);
        using (var abandon = await client.Http.DeleteAsync(Routes.Format(Routes.Session, doomed.SessionId), Ct))
        {
            Assert.Equal(HttpStatusCode.NoContent, abandon.StatusCode);
        }

        var failure = await Assert.ThrowsAnyAsync<AgentException>(() => backup);
        Assert.True(failure.ToString().Contains("the server answered", StringComparison.Ordinal), failure.ToString());
        Assert.Single(await _server.SnapshotsAsync(_agent.PcId));
    }
}
