using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Hort.Protocol;
using Hort.Repository;
using Hort.Storage;

namespace Hort.Agent.Tests.EndToEnd;

/// <summary>The real hortd process on a loopback port in a temporary data folder, with an administrator.</summary>
internal sealed partial class Hortd : IAsyncDisposable
{
    public const string AdminPassword = "correct horse battery";

    private readonly IReadOnlyDictionary<string, string> _settings;
    private ChildProcess _process;

    private Hortd(string data, int port, IReadOnlyDictionary<string, string> settings, ChildProcess process)
    {
        DataDirectory = data;
        Port = port;
        _settings = settings;
        _process = process;
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri Address => new($"https://127.0.0.1:{Port}/");

    public string Fingerprint { get; private set; } = "";

    public HttpClient Admin { get; private set; } = null!;

    public string RepositoryPath => Path.Combine(DataDirectory, "repository");

    public string Output => _process.Output;

    /// <summary>Starts hortd; <paramref name="settings"/> are extra <c>HORTD_</c> environment variables (typed options).</summary>
    public static async Task<Hortd> StartAsync(string data, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        settings ??= new Dictionary<string, string>();
        var server = new Hortd(data, port, settings, Launch(data, port, settings));
        server.Fingerprint = await server._process.WaitForAsync(FingerprintPattern(), TimeSpan.FromSeconds(60));
        var code = await server._process.WaitForAsync(SetupCodePattern(), TimeSpan.FromSeconds(10));
        using var anonymous = PinnedHttp.Create(server.Address, server.Fingerprint);
        var setup = await anonymous.PostAsJsonAsync(Routes.Setup, new SetupRequest(code, "admin", AdminPassword), ProtocolJson.Default.SetupRequest, Ct);
        Assert.Equal(HttpStatusCode.Created, setup.StatusCode);
        await server.LoginAsync();
        return server;
    }

    /// <summary>kill -9, then start again on the same folder and port.</summary>
    public async Task CrashAndRestartAsync()
    {
        await _process.KillAsync();
        await _process.DisposeAsync();
        _process = Launch(DataDirectory, Port, _settings);
        Fingerprint = await _process.WaitForAsync(FingerprintPattern(), TimeSpan.FromSeconds(60));
        Admin.Dispose();
        await LoginAsync();
    }

    public async Task<T> GetAsync<T>(string route, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        (await Admin.GetFromJsonAsync(route, type, Ct))!;

    public async Task<TResponse> SendAsync<TRequest, TResponse>(HttpMethod method, string route, TRequest body,
        System.Text.Json.Serialization.Metadata.JsonTypeInfo<TRequest> requestType, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResponse> responseType)
    {
        using var request = new HttpRequestMessage(method, route) { Content = JsonContent.Create(body, requestType) };
        using var response = await Admin.SendAsync(request, Ct);
        Assert.True(response.IsSuccessStatusCode, $"{method} {route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return (await response.Content.ReadFromJsonAsync(responseType, Ct))!;
    }

    /// <summary>Queues a backup job for the PC, as the dashboard's "back up now".</summary>
    public async Task<JobDto> QueueBackupAsync(string pcId)
    {
        using var response = await Admin.PostAsync(Routes.Format(Routes.PcBackups, pcId), null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ProtocolJson.Default.JobDto, Ct))!;
    }

    public async Task<string> EnrollmentCodeAsync(string pcName) =>
        (await SendAsync(HttpMethod.Post, Routes.EnrollmentCodes, new EnrollmentCodeCreateRequest(null, pcName, 1),
            ProtocolJson.Default.EnrollmentCodeCreateRequest, ProtocolJson.Default.EnrollmentCodeCreated)).Code;

    /// <summary>A policy backing up <paramref name="include"/> whenever the agent runs (window 00:00–23:59).</summary>
    public static PolicyDto Always(params string[] include) =>
        new(include, [], new BackupWindow(new TimeOnly(0, 0), new TimeOnly(23, 59)), new RetentionRule(5, 4, 6), 1);

    public Task SetPolicyAsync(string pcId, PolicyDto policy) =>
        SendAsync(HttpMethod.Put, Routes.Format(Routes.PcPolicy, pcId), policy, ProtocolJson.Default.PolicyDto, ProtocolJson.Default.EffectivePolicyResponse);

    public Task<IReadOnlyList<SnapshotDto>> SnapshotsAsync(string pcId) =>
        GetAsync(Routes.Format(Routes.PcSnapshots, pcId), ProtocolJson.Default.IReadOnlyListSnapshotDto);

    public Task<JobDto> JobAsync(string jobId) => GetAsync(Routes.Format(Routes.Job, jobId), ProtocolJson.Default.JobDto);

    /// <summary>Waits until the PC has at least <paramref name="count"/> snapshots; returns them, newest first.</summary>
    public async Task<IReadOnlyList<SnapshotDto>> WaitForSnapshotsAsync(string pcId, int count, Func<string> diagnostics, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            var snapshots = await SnapshotsAsync(pcId);
            if (snapshots.Count >= count) return snapshots;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"PC {pcId} has {snapshots.Count} snapshot(s), expected {count}\n{diagnostics()}");
            await Task.Delay(200, Ct);
        }
    }

    /// <summary>Asks to cancel a job; returns the answer's status and the job.</summary>
    public async Task<(HttpStatusCode Status, JobDto? Job)> CancelAsync(string jobId)
    {
        using var response = await Admin.PostAsync(Routes.Format(Routes.JobCancel, jobId), null, Ct);
        return (response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync(ProtocolJson.Default.JobDto, Ct) : null);
    }

    public Task<IReadOnlyList<JobDto>> JobsAsync(string pcId) => GetAsync(Routes.Jobs + "?pcId=" + pcId, ProtocolJson.Default.IReadOnlyListJobDto);

    public Task<IReadOnlyList<JobLogEntry>> JobLogAsync(string jobId) => GetAsync(Routes.Format(Routes.JobLog, jobId), ProtocolJson.Default.IReadOnlyListJobLogEntry);

    /// <summary>Waits until a job of the PC satisfies <paramref name="condition"/>; returns it.</summary>
    public async Task<JobDto> WaitForJobAsync(string pcId, Func<JobDto, IReadOnlyList<JobLogEntry>, bool> condition, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            foreach (var job in await JobsAsync(pcId))
            {
                if (condition(job, await JobLogAsync(job.Id))) return job;
            }

            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"no job of PC {pcId} came to the expected state\n{diagnostics()}");
            await Task.Delay(200, Ct);
        }
    }

    /// <summary>Waits until the job has ended; returns it.</summary>
    public async Task<JobDto> WaitForJobAsync(string jobId, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (true)
        {
            var job = await JobAsync(jobId);
            if (job.Finished is not null) return job;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"job {jobId} is still {job.State}\n{diagnostics()}");
            await Task.Delay(200, Ct);
        }
    }

    /// <summary>Opens the server's repository with its password (read-only use by the test).</summary>
    public async Task<HortRepository> OpenRepositoryAsync()
    {
        var password = (await File.ReadAllTextAsync(Path.Combine(DataDirectory, "repository.password"), Ct)).Trim();
        var repository = await HortRepository.OpenAsync(new LocalDirectoryBlobStore(RepositoryPath), password, cancellationToken: Ct);
        await repository.LoadIndexAsync(Ct);
        return repository;
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        await _process.DisposeAsync();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task LoginAsync()
    {
        using var anonymous = PinnedHttp.Create(Address, Fingerprint);
        var login = await anonymous.PostAsJsonAsync(Routes.Login, new LoginRequest("admin", AdminPassword), ProtocolJson.Default.LoginRequest, Ct);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.Content.ReadFromJsonAsync(ProtocolJson.Default.LoginResponse, Ct))!.Token;
        Admin = PinnedHttp.Create(Address, Fingerprint, token);
    }

    private static ChildProcess Launch(string data, int port, IReadOnlyDictionary<string, string> settings) =>
        ChildProcess.Start("hortd.dll", ["--data", data, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            new Dictionary<string, string>(settings) { ["HORTD_PASSWORDHASHING__PASSES"] = "1", ["HORTD_PASSWORDHASHING__MEMORYKIB"] = "64" });

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex("fingerprint ([0-9a-f]{64})")]
    private static partial Regex FingerprintPattern();

    [GeneratedRegex("setup code ([A-Z0-9-]+)")]
    private static partial Regex SetupCodePattern();
}
