using Hort.Protocol;

namespace Hort.Dashboard.Tests.Support;

/// <summary>
/// One hortd with an administrator and one real agent whose first backup has completed, shared by the tests that
/// only read it or add to it (each test uses its own browser context and sign-in).
/// </summary>
public sealed class DashboardSite : IAsyncLifetime
{
    public const string AdminName = "admin";
    public const string AdminPassword = "correct horse battery staple";
    public const string PcName = "reception";

    private readonly string _root = Directory.CreateTempSubdirectory("hort-dashboard-").FullName;
    private AgentProcess? _agent;

    internal HortServer Server { get; private set; } = null!;

    /// <summary>The folder the agent backs up.</summary>
    public string Source => Path.Combine(_root, "pc", "data");

    /// <summary>A folder of the PC's own that a test may restore into.</summary>
    public string Scratch => Directory.CreateDirectory(Path.Combine(_root, "pc", "scratch")).FullName;

    public string PcId => _agent!.PcId;

    public SnapshotDto FirstSnapshot { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Server = await HortServer.StartAsync(Path.Combine(_root, "server"));
        await Server.SetUpAdministratorAsync(AdminName, AdminPassword);
        SourceFiles.Create(Source);
        _agent = await AddPcAsync(PcName, Source, "pc");
        FirstSnapshot = (await Server.WaitForSnapshotsAsync(_agent.PcId, 1, Diagnostics))[^1];
    }

    /// <summary>Enrolls another PC whose policy backs up <paramref name="include"/>, and starts its agent (it backs up at once).</summary>
    internal async Task<AgentProcess> AddPcAsync(string name, string include, string? folder = null)
    {
        var agent = new AgentProcess(Path.Combine(_root, folder ?? name, "state"));
        await agent.EnrollAsync(Server, await Server.EnrollmentCodeAsync(name));
        await Server.SetPolicyAsync(agent.PcId, include);
        agent.Start();
        return agent;
    }

    /// <summary>hortd's and the agent's output, for failure messages.</summary>
    public string Diagnostics() => $"hortd:\n{Server?.Output}\nagent:\n{_agent?.Output}";

    public async ValueTask DisposeAsync()
    {
        if (_agent is not null) await _agent.DisposeAsync();
        if (Server is not null) await Server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class SiteCollection : ICollectionFixture<DashboardSite>
{
    public const string Name = "site";
}
