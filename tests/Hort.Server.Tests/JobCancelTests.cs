using System.Net;
using System.Text;
using Hort.Protocol;
using Hort.Server.Hosting;
using Hort.Server.Jobs;

namespace Hort.Server.Tests;

/// <summary>Cancelling jobs (protocol.md §5) and the server-wide limit on backups at once (<c>Jobs:MaxConcurrentBackups</c>).</summary>
public sealed class JobCancelTests
{
    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static async Task<JobDto> JobAsync(HttpClient admin, string jobId) => await admin.GetAsync(Routes.Format(Routes.Job, jobId), ProtocolJson.Default.JobDto);

    private static async Task<HttpResponseMessage> CancelAsync(HttpClient admin, string jobId) =>
        await admin.PostAsync(Routes.Format(Routes.JobCancel, jobId), null, TestContext.Current.CancellationToken);

    private static async Task<IReadOnlyList<AgentCommand>> CommandsAsync(HttpClient agent)
    {
        var response = await agent.GetAsync(Routes.AgentCommands + "?wait=0", TestContext.Current.CancellationToken);
        return response.StatusCode == HttpStatusCode.NoContent ? [] : await response.ReadAsync(ProtocolJson.Default.IReadOnlyListAgentCommand);
    }

    [Fact]
    public async Task A_queued_job_is_cancelled_without_the_agent_and_an_ended_or_unknown_job_cannot_be()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, agent) = await server.EnrollAsync(admin, "desk-1");
        var queued = await (await admin.PostAsync(Routes.Format(Routes.PcBackups, pc.PcId), null, TestContext.Current.CancellationToken)).ReadAsync(ProtocolJson.Default.JobDto);
        Assert.Single(await CommandsAsync(agent));

        var cancel = await CancelAsync(admin, queued.Id);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var job = await cancel.ReadAsync(ProtocolJson.Default.JobDto);
        Assert.Equal(JobValues.Cancelled, job.State);
        Assert.NotNull(job.Finished);
        Assert.Empty(await CommandsAsync(agent));
        var log = await admin.GetAsync(Routes.Format(Routes.JobLog, queued.Id), ProtocolJson.Default.IReadOnlyListJobLogEntry);
        Assert.Contains(log, e => e.Message.Contains("before it started", StringComparison.Ordinal));
        var audit = await admin.GetAsync(Routes.Audit, ProtocolJson.Default.IReadOnlyListAuditEntryDto);
        Assert.Contains(audit, a => a.Action == "cancel-job" && a.Target.Contains(queued.Id, StringComparison.Ordinal));

        // The agent that had already picked it up learns on its first report that the job has ended.
        var progress = await agent.PostAsync(Routes.Format(Routes.AgentJobProgress, queued.Id), new JobProgress(JobValues.Running, 1, 1, null, null), ProtocolJson.Default.JobProgress);
        Assert.Equal(HttpStatusCode.Conflict, progress.StatusCode);
        Assert.Equal(JobValues.Cancelled, (await JobAsync(admin, queued.Id)).State);

        Assert.Equal(HttpStatusCode.Conflict, (await CancelAsync(admin, queued.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await CancelAsync(admin, "0123456789abcdef0123456789abcdef")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await CancelAsync(admin, "not-an-id")).StatusCode);
    }

    [Fact]
    public async Task Cancelling_a_running_backup_closes_its_session_commits_nothing_and_keeps_the_uploads_for_the_next_backup()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var agent = new AgentUploads(client, pc);
        var job = await (await client.PostAsync(Routes.AgentJobs, new AgentJobCreateRequest(JobValues.Backup), ProtocolJson.Default.AgentJobCreateRequest)).ReadAsync(ProtocolJson.Default.JobDto);
        var opened = await client.PostAsync(Routes.Sessions, new SessionCreateRequest(job.Id, ["/home"], null, DateTimeOffset.UnixEpoch), ProtocolJson.Default.SessionCreateRequest);
        var session = (await opened.ReadAsync(ProtocolJson.Default.SessionResponse)).SessionId;
        var chunk = Bytes("uploaded before the cancel");
        Assert.Equal(HttpStatusCode.NoContent, (await agent.UploadAsync(session, SessionValues.Data, chunk)).StatusCode);

        var cancel = await CancelAsync(admin, job.Id);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(JobValues.Cancelling, (await cancel.ReadAsync(ProtocolJson.Default.JobDto)).State);
        var command = Assert.Single(await CommandsAsync(client));
        Assert.Equal((JobValues.Cancel, job.Id), (command.Kind, command.JobId));

        // Progress keeps it cancelling; the session takes nothing more and commits nothing; no new session for the job.
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync(Routes.Format(Routes.AgentJobProgress, job.Id), new JobProgress(JobValues.Running, 1, 1, null, null), ProtocolJson.Default.JobProgress)).StatusCode);
        Assert.Equal(JobValues.Cancelling, (await JobAsync(admin, job.Id)).State);
        var tree = AgentUploads.TreeOf(("file", [agent.Id(chunk)]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await agent.UploadAsync(session, SessionValues.Tree, tree)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await agent.CommitAsync(session, agent.Id(tree))).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PostAsync(Routes.Sessions, new SessionCreateRequest(job.Id, ["/home"], null, DateTimeOffset.UnixEpoch), ProtocolJson.Default.SessionCreateRequest)).StatusCode);

        // The agent's report ends it as cancelled, even when it reports the failure the closed session caused.
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync(Routes.Format(Routes.AgentJobResult, job.Id), new JobResult(false, null, 1, "session closed"), ProtocolJson.Default.JobResult)).StatusCode);
        var ended = await JobAsync(admin, job.Id);
        Assert.Equal(JobValues.Cancelled, ended.State);
        Assert.Empty(await admin.GetAsync(Routes.Format(Routes.PcSnapshots, pc.PcId), ProtocolJson.Default.IReadOnlyListSnapshotDto));
        Assert.Empty(await CommandsAsync(client));

        // The next backup opens a new session and need not send what the cancelled one uploaded.
        var next = await agent.OpenSessionAsync();
        Assert.NotEqual(session, next);
        Assert.Empty(await agent.NeededAsync(next, agent.Id(chunk)));
        Assert.Equal(HttpStatusCode.NoContent, (await agent.UploadAsync(next, SessionValues.Tree, tree)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await agent.CommitAsync(next, agent.Id(tree))).StatusCode);
    }

    [Fact]
    public async Task When_every_backup_slot_is_taken_a_backup_waits_visibly_and_starts_when_one_frees()
    {
        var options = TestServer.NewOptions();
        options.Jobs.MaxConcurrentBackups = 1;
        await using var server = await TestServer.StartAsync(options);
        var admin = await server.AdminAsync();
        var (pc1, client1) = await server.EnrollAsync(admin, "desk-1");
        var (pc2, client2) = await server.EnrollAsync(admin, "desk-2");
        var first = new AgentUploads(client1, pc1);
        var session1 = await first.OpenSessionAsync();

        var job = await (await client2.PostAsync(Routes.AgentJobs, new AgentJobCreateRequest(JobValues.Backup), ProtocolJson.Default.AgentJobCreateRequest)).ReadAsync(ProtocolJson.Default.JobDto);
        var refused = await client2.PostAsync(Routes.Sessions, new SessionCreateRequest(job.Id, ["/home"], null, DateTimeOffset.UnixEpoch), ProtocolJson.Default.SessionCreateRequest);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter?.Delta);
        Assert.Equal(JobValues.Waiting, (await JobAsync(admin, job.Id)).State);

        // The first PC's commit frees the slot.
        var chunk = Bytes("desk-1's file");
        Assert.Equal(HttpStatusCode.NoContent, (await first.UploadAsync(session1, SessionValues.Data, chunk)).StatusCode);
        var tree = AgentUploads.TreeOf(("file", [first.Id(chunk)]));
        Assert.Equal(HttpStatusCode.NoContent, (await first.UploadAsync(session1, SessionValues.Tree, tree)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await first.CommitAsync(session1, first.Id(tree))).StatusCode);
        var opened = await client2.PostAsync(Routes.Sessions, new SessionCreateRequest(job.Id, ["/home"], null, DateTimeOffset.UnixEpoch), ProtocolJson.Default.SessionCreateRequest);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);

        // Now the first PC waits, until the second abandons its session.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client1.PostAsync(Routes.Sessions, new SessionCreateRequest(null, ["/home"], null, DateTimeOffset.UnixEpoch), ProtocolJson.Default.SessionCreateRequest)).StatusCode);
        var session2 = (await opened.ReadAsync(ProtocolJson.Default.SessionResponse)).SessionId;
        Assert.Equal(HttpStatusCode.NoContent, (await client2.DeleteAsync(Routes.Format(Routes.Session, session2), TestContext.Current.CancellationToken)).StatusCode);
        Assert.NotEqual(session1, await first.OpenSessionAsync());
    }

    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void A_slot_is_lost_after_the_idle_time_so_a_killed_agent_cannot_keep_it_and_a_working_one_keeps_it()
    {
        var time = new ManualTime();
        var options = new HortdOptions { Jobs = { MaxConcurrentBackups = 2, BackupSlotIdleSeconds = 60 } };
        var slots = new BackupSlots(options, time);
        Assert.True(slots.TryHold("pc1"));
        Assert.True(slots.TryHold("pc2"));
        Assert.False(slots.TryHold("pc3"));
        Assert.Throws<NoBackupSlotException>(() => slots.Hold("pc3"));

        // pc1 keeps working; pc2 goes silent (killed) and loses its slot after the idle time.
        time.Now += TimeSpan.FromSeconds(45);
        Assert.True(slots.TryHold("pc1"));
        time.Now += TimeSpan.FromSeconds(30);
        Assert.True(slots.TryHold("pc3"));
        Assert.False(slots.TryHold("pc2"));
        Assert.Equal(2, slots.InUse);

        slots.Release("pc1");
        Assert.True(slots.TryHold("pc2"));
    }
}
