using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Hort.Protocol;
using Hort.Server.Hosting;

namespace Hort.Server.Tests;

/// <summary>A real hortd (Kestrel, HTTPS on a free loopback port) in a temporary data folder, and clients pinned to its certificate.</summary>
internal sealed partial class TestServer : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];

    private TestServer(ServerHost host, HortdOptions options, StringWriter console)
    {
        Host = host;
        Options = options;
        Console = console;
    }

    public ServerHost Host { get; }

    public HortdOptions Options { get; }

    public StringWriter Console { get; }

    public string DataDirectory => Options.DataDirectory;

    /// <summary>Options for a test server: a fresh folder, port 0, cheap Argon2id.</summary>
    public static HortdOptions NewOptions(string? dataDirectory = null) => new()
    {
        DataDirectory = dataDirectory ?? Directory.CreateTempSubdirectory("hortd-test-").FullName,
        Port = 0,
        PasswordHashing = new PasswordHashingOptions { Passes = 1, MemoryKiB = 64 },
    };

    public static async Task<TestServer> StartAsync(HortdOptions? options = null, TimeProvider? time = null)
    {
        options ??= NewOptions();
        var console = new StringWriter();
        var host = await ServerHost.CreateAsync(options, console, time, TestContext.Current.CancellationToken);
        await host.StartAsync(console, TestContext.Current.CancellationToken);
        return new TestServer(host, options, console);
    }

    /// <summary>The setup code the server printed.</summary>
    public string SetupCode => SetupCodePattern().Match(Console.ToString()).Groups[1].Value;

    /// <summary>A client that trusts only this server's certificate fingerprint, optionally with a bearer token.</summary>
    public HttpClient Client(string? token = null)
    {
        var client = PinnedClient(Host.Address, Host.Identity.Fingerprint);
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _clients.Add(client);
        return client;
    }

    public static HttpClient PinnedClient(Uri address, string fingerprint)
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                certificate is not null && Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256)) == fingerprint,
        };
        return new HttpClient(handler) { BaseAddress = address };
    }

    /// <summary>Creates the first admin and logs in; returns an admin client.</summary>
    public async Task<HttpClient> AdminAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var anonymous = Client();
        var setup = await anonymous.PostAsJsonAsync(Routes.Setup, new SetupRequest(SetupCode, "admin", AdminPassword), ProtocolJson.Default.SetupRequest, ct);
        Assert.Equal(HttpStatusCode.Created, setup.StatusCode);
        return Client(await LoginAsync(anonymous, "admin", AdminPassword));
    }

    public const string AdminPassword = "correct horse battery";

    public static async Task<string> LoginAsync(HttpClient client, string user, string password)
    {
        var response = await client.PostAsJsonAsync(Routes.Login, new LoginRequest(user, password), ProtocolJson.Default.LoginRequest, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var login = await response.Content.ReadFromJsonAsync(ProtocolJson.Default.LoginResponse, TestContext.Current.CancellationToken);
        return login!.Token;
    }

    /// <summary>Creates an enrollment code and enrolls a PC with it.</summary>
    public async Task<(EnrollResponse Enrolled, HttpClient Agent)> EnrollAsync(HttpClient admin, string hostname, string? groupId = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var created = await admin.PostAsJsonAsync(Routes.EnrollmentCodes, new EnrollmentCodeCreateRequest(groupId, null, 1), ProtocolJson.Default.EnrollmentCodeCreateRequest, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var code = (await created.Content.ReadFromJsonAsync(ProtocolJson.Default.EnrollmentCodeCreated, ct))!;
        Assert.Equal(Host.Identity.Fingerprint, code.ServerFingerprint);
        var response = await Client().PostAsJsonAsync(Routes.Enroll, new EnrollRequest(code.Code, hostname, "Linux", "test"), ProtocolJson.Default.EnrollRequest, ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var enrolled = (await response.Content.ReadFromJsonAsync(ProtocolJson.Default.EnrollResponse, ct))!;
        return (enrolled, Client(enrolled.Credential));
    }

    /// <summary>Leave the data folder in place when disposed (to restart or rebuild from it).</summary>
    public bool KeepData { get; set; }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients) c.Dispose();
        await Host.DisposeAsync();
        if (KeepData) return;
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    [GeneratedRegex("setup code ([A-Z0-9-]+)")]
    private static partial Regex SetupCodePattern();
}
