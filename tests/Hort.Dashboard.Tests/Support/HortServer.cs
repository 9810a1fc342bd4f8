using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Hort.Agent.Tests.EndToEnd;
using Hort.Protocol;

namespace Hort.Dashboard.Tests.Support;

/// <summary>The real hortd process on a free loopback port with its own data folder.</summary>
internal sealed partial class HortServer : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private HortServer(string data, int port, ChildProcess process)
    {
        DataDirectory = data;
        Port = port;
        _process = process;
    }

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri Address => new($"https://127.0.0.1:{Port}/");

    /// <summary>The SHA-256 fingerprint of the certificate hortd printed; agents pin it.</summary>
    public string Fingerprint { get; private set; } = "";

    /// <summary>The one-time setup code hortd printed while it has no administrator.</summary>
    public string SetupCode { get; private set; } = "";

    public string Output => _process.Output;

    /// <summary>The administrator's API client once <see cref="SetUpAdministratorAsync"/> ran.</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>Starts hortd; <paramref name="settings"/> are extra <c>HORTD_</c> environment variables.</summary>
    public static async Task<HortServer> StartAsync(string data, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var environment = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            // Argon2id at its lowest cost: the tests sign in often on a busy machine, and the cost is not under test.
            ["HORTD_PASSWORDHASHING__PASSES"] = "1",
            ["HORTD_PASSWORDHASHING__MEMORYKIB"] = "64",
        };
        var process = ChildProcess.Start(Built.Hortd, ["--data", data, "--port", port.ToString(CultureInfo.InvariantCulture)], environment);
        var server = new HortServer(data, port, process);
        try
        {
            server.Fingerprint = await process.WaitForAsync(FingerprintPattern(), TimeSpan.FromSeconds(120));
            server.SetupCode = await process.WaitForAsync(SetupCodePattern(), TimeSpan.FromSeconds(30));
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the first administrator through the API (not under test here) and signs its API client in.</summary>
    public async Task SetUpAdministratorAsync(string username, string password)
    {
        using var anonymous = Pinned();
        using var setup = await anonymous.PostAsJsonAsync(Routes.Setup, new SetupRequest(SetupCode, username, password), ProtocolJson.Default.SetupRequest, Ct);
        Assert.True(setup.StatusCode == HttpStatusCode.Created, await setup.Content.ReadAsStringAsync(Ct));
        using var login = await anonymous.PostAsJsonAsync(Routes.Login, new LoginRequest(username, password), ProtocolJson.Default.LoginRequest, Ct);
        Assert.True(login.StatusCode == HttpStatusCode.OK, await login.Content.ReadAsStringAsync(Ct));
        Admin = Pinned((await login.Content.ReadFromJsonAsync(ProtocolJson.Default.LoginResponse, Ct))!.Token);
    }

    public async Task<string> EnrollmentCodeAsync(string pcName) =>
        (await SendAsync(HttpMethod.Post, Routes.EnrollmentCodes, new EnrollmentCodeCreateRequest(null, pcName, 1),
            ProtocolJson.Default.EnrollmentCodeCreateRequest, ProtocolJson.Default.EnrollmentCodeCreated)).Code;

    /// <summary>Makes the PC back up <paramref name="include"/> whenever its agent runs (window 00:00–23:59).</summary>
    public Task SetPolicyAsync(string pcId, params string[] include) =>
        SendAsync(HttpMethod.Put, Routes.Format(Routes.PcPolicy, pcId),
            new PolicyDto(include, [], new BackupWindow(new TimeOnly(0, 0), new TimeOnly(23, 59)), new RetentionRule(5, 4, 6), 1),
            ProtocolJson.Default.PolicyDto, ProtocolJson.Default.EffectivePolicyResponse);

    public async Task<IReadOnlyList<SnapshotDto>> SnapshotsAsync(string pcId) =>
        (await Admin.GetFromJsonAsync(Routes.Format(Routes.PcSnapshots, pcId), ProtocolJson.Default.IReadOnlyListSnapshotDto, Ct))!;

    public async Task<IReadOnlyList<JobDto>> JobsAsync(string pcId) =>
        (await Admin.GetFromJsonAsync(Routes.Jobs + "?pcId=" + pcId, ProtocolJson.Default.IReadOnlyListJobDto, Ct))!;

    /// <summary>Waits until the PC has at least <paramref name="count"/> snapshots; returns them, newest first.</summary>
    public async Task<IReadOnlyList<SnapshotDto>> WaitForSnapshotsAsync(string pcId, int count, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var snapshots = await SnapshotsAsync(pcId);
            if (snapshots.Count >= count) return snapshots;
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"PC {pcId} has {snapshots.Count} snapshot(s), expected {count}\n{diagnostics()}");
            await Task.Delay(250, Ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Admin?.Dispose();
        await _process.DisposeAsync();
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(HttpMethod method, string route, TRequest body,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType)
    {
        using var request = new HttpRequestMessage(method, route) { Content = JsonContent.Create(body, requestType) };
        using var response = await Admin.SendAsync(request, Ct);
        Assert.True(response.IsSuccessStatusCode, $"{method} {route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
        return (await response.Content.ReadFromJsonAsync(responseType, Ct))!;
    }

    /// <summary>An API client that accepts only hortd's own certificate, as an agent does.</summary>
    private HttpClient Pinned(string? token = null)
    {
        var fingerprint = Fingerprint;
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256)) == fingerprint,
        };
        var client = new HttpClient(handler) { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
