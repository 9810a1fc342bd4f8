using Hort.Protocol;

namespace Hort.Server.Tests.Dashboard;

/// <summary>A hortd on a settable clock with a signed-in dashboard admin, an API admin and PCs that back up through the real protocol.</summary>
internal sealed class DashboardPcs : IAsyncDisposable
{
    private DashboardPcs(TestServer server, ManualClock clock, DashboardClient dashboard, HttpClient api)
    {
        Server = server;
        Clock = clock;
        Dashboard = dashboard;
        Api = api;
    }

    public TestServer Server { get; }

    public ManualClock Clock { get; }

    public DashboardClient Dashboard { get; private set; }

    public HttpClient Api { get; private set; }

    public static async Task<DashboardPcs> StartAsync(DateTimeOffset? start = null)
    {
        var clock = new ManualClock(start ?? new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero));
        var server = await TestServer.StartAsync(time: clock);
        var dashboard = await DashboardClient.SetUpAdminAsync(server);
        var api = server.Client(await TestServer.LoginAsync(server.Client(), DashboardClient.AdminName, DashboardClient.Password));
        return new DashboardPcs(server, clock, dashboard, api);
    }

    /// <summary>Enrolls a PC; returns its ID and an agent that uploads like the real one.</summary>
    public async Task<(string PcId, AgentUploads Agent)> EnrollAsync(string hostname)
    {
        var (enrolled, client) = await Server.EnrollAsync(Api, hostname);
        return (enrolled.PcId, new AgentUploads(client, enrolled));
    }

    /// <summary>A backup job started by the agent, reported as it ends: succeeded with a snapshot of <paramref name="chunks"/>, or failed.</summary>
    public static async Task<JobDto> JobAsync(AgentUploads agent, bool succeed, long errors = 0, params byte[][] chunks)
    {
        var job = await (await agent.Client.PostAsync(Routes.AgentJobs, new AgentJobCreateRequest(JobValues.Backup), ProtocolJson.Default.AgentJobCreateRequest))
            .ReadAsync(ProtocolJson.Default.JobDto);
        await agent.Client.PostAsync(Routes.Format(Routes.AgentJobLog, job.Id),
            (IReadOnlyList<JobLogEntry>)[new JobLogEntry(DateTimeOffset.UnixEpoch, "info", "scanning /home")], ProtocolJson.Default.IReadOnlyListJobLogEntry);
        string? snapshot = succeed ? (await agent.BackupAsync(chunks)).SnapshotId : null;
        var result = await agent.Client.PostAsync(Routes.Format(Routes.AgentJobResult, job.Id),
            new JobResult(succeed, snapshot, errors, succeed ? null : "disk unreadable"), ProtocolJson.Default.JobResult);
        Assert.True(result.IsSuccessStatusCode, result.StatusCode.ToString());
        return job;
    }

    /// <summary>
    /// Moves the clock on. Sessions expire on the same clock, so the dashboard admin signs in again and the API admin
    /// logs in again.
    /// </summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        var before = Dashboard;
        Dashboard = await SignInAsync();
        before.Dispose();
        Api = Server.Client(await TestServer.LoginAsync(Server.Client(), DashboardClient.AdminName, DashboardClient.Password));
    }

    /// <summary>A new dashboard client signed in as the admin, optionally in another language.</summary>
    public async Task<DashboardClient> SignInAsync(string? language = null)
    {
        var client = new DashboardClient(Server, language);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await client.SignInAsync(DashboardClient.AdminName, DashboardClient.Password)).StatusCode);
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        Dashboard.Dispose();
        await Server.DisposeAsync();
    }
}
