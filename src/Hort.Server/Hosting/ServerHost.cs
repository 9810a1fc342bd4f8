using System.Net;
using System.Security.Authentication;
using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Maintenance;
using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Dashboard;
using Hort.Server.Maintenance;
using Hort.Server.Security;
using Hort.Server.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;

namespace Hort.Server.Hosting;

/// <summary>Builds and runs hortd: data folder, certificate, repository, catalog, then Kestrel with the API.</summary>
public sealed class ServerHost : IAsyncDisposable
{
    /// <summary>Largest request body Kestrel accepts at all (a tree upload of 64 MiB plus framing).</summary>
    public const long MaxBodyBytes = 72L << 20;

    private readonly WebApplication _app;
    private readonly HortRepository _repository;
    private readonly RepositoryLease _lease;
    private readonly ServerCatalog _catalog;

    private ServerHost(WebApplication app, HortRepository repository, RepositoryLease lease, ServerCatalog catalog, ServerIdentity identity)
    {
        _app = app;
        _repository = repository;
        _lease = lease;
        _catalog = catalog;
        Identity = identity;
    }

    public ServerIdentity Identity { get; }

    /// <summary>The HTTPS address the server listens on (after start; resolves port 0).</summary>
    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public IServiceProvider Services => _app.Services;

    /// <summary>Prepares everything the server needs, creating on first start what does not exist yet.</summary>
    public static async Task<ServerHost> CreateAsync(HortdOptions options, TextWriter console, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        var data = new DataFolder(options.DataDirectory);
        data.Ensure();
        var certificates = ServerCertificates.Load(data.CertificateFile, time);
        var identity = new ServerIdentity(certificates);
        var hosted = await RepositoryHost.OpenOrInitAsync(options, data, time, console, cancellationToken).ConfigureAwait(false);
        var (repository, lease) = (hosted.Repository, hosted.Lease);
        ServerCatalog catalog;
        try
        {
            catalog = await ServerCatalog.OpenAsync(options, cancellationToken).ConfigureAwait(false);
            // A prune whose deletion this start acknowledges may have removed what a verified tree names.
            await catalog.ClearVerifiedTreesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await lease.DisposeAsync().ConfigureAwait(false);
            repository.Dispose();
            throw;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
            // The dashboard's pages are compiled into hortd; name it, so they are found when a test process hosts the server.
            ApplicationName = typeof(ServerHost).Assembly.GetName().Name,
        });
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // Data-protection keys protect the dashboard's session and antiforgery cookies; their own log lines are noise.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Listen(IPAddress.Parse(options.Listen), options.Port, listen => listen.UseHttps(https =>
            {
                // Chosen per connection, so a switch to the next certificate takes effect without a restart.
                https.ServerCertificateSelector = (_, _) => certificates.Current;
                https.SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
            }));
        });

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(time);
        services.AddSingleton(identity);
        services.AddSingleton(certificates);
        services.AddSingleton(repository);
        services.AddSingleton(lease);
        services.AddSingleton(catalog);
        services.AddSingleton(new PasswordHasher(options.PasswordHashing));
        services.AddSingleton<FailureThrottle>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<Jobs.BackupSlots>();
        services.AddSingleton<Jobs.JobProgressBoard>();
        services.AddSingleton<Jobs.JobRequests>();
        services.AddSingleton<ServerStateStore>();
        services.AddSingleton<SessionWriters>();
        services.AddSingleton<BackupSessions>();
        services.AddSingleton<RestoreRequests>();
        services.AddSingleton<Dashboard.Browsing.SnapshotBrowser>();
        services.AddSingleton<Dashboard.Browsing.SnapshotDownloads>();
        services.AddSingleton<CommandSignals>();
        services.AddSingleton<PolicyAdmin>();
        services.AddSingleton<EnrollmentCodes>();
        services.AddHostedService<IdleWriterSweep>();
        services.AddSingleton(data);
        services.AddSingleton(hosted);
        services.AddSingleton<CommitGate>();
        services.AddSingleton<AlertRaiser>();
        services.AddSingleton<DeletionFollower>();
        services.AddSingleton<MaintenanceRunner>();
        services.AddSingleton<MaintenanceService>();
        services.AddHostedService(static p => p.GetRequiredService<MaintenanceService>());
        services.AddSingleton<Notifications.NotificationSettingsStore>();
        services.AddSingleton<Notifications.MailSender>();
        services.AddSingleton<Notifications.AlertMailer>();
        services.AddSingleton<Notifications.StorageHistory>();
        services.AddSingleton<Notifications.AlertConditions>();
        services.AddSingleton<Notifications.WeeklySummary>();
        services.AddSingleton<Notifications.NotificationService>();
        services.AddHostedService(static p => p.GetRequiredService<Notifications.NotificationService>());
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ProtocolJson.Default);
            json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter());
        });
        // Authentication pulls in data protection; its keys stay in the data folder, not in the user's home.
        services.AddDataProtection().SetApplicationName(TotpSecrets.ApplicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(TotpSecrets.KeysPath(data.Path)));
        services.AddSingleton<TotpSecrets>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ServerExceptionHandler>();
        services.AddSingleton<SignInChecks>();
        services.AddSingleton<UserAccounts>();
        var authentication = services.AddAuthentication(Callers.Scheme).AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(Callers.Scheme, null);
        services.AddDashboard(authentication);
        services.AddAuthorizationBuilder()
            .AddPolicy(Callers.Admin, p => p.RequireClaim(Callers.KindClaim, Callers.Admin))
            .AddPolicy(Callers.Agent, p => p.RequireClaim(Callers.KindClaim, Callers.Agent));
        services.AddOpenApi("v1");

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDashboard();
        app.UseAuthentication();
        app.UseMiddleware<BodyLimits>();
        app.UseAuthorization();
        app.MapOpenApi(Routes.OpenApiDocument.Replace("v1", "{documentName}", StringComparison.Ordinal));
        ApiRoutes.Map(app);
        app.MapDashboard();
        return new ServerHost(app, repository, lease, catalog, identity);
    }

    /// <summary>Starts listening and prints the fingerprint and, while no admin exists, a setup code.</summary>
    public async Task StartAsync(TextWriter console, CancellationToken cancellationToken = default)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        await console.WriteLineAsync($"hortd: listening on {Address}").ConfigureAwait(false);
        await console.WriteLineAsync($"hortd: certificate SHA-256 fingerprint {Identity.Fingerprint}").ConfigureAwait(false);
        if (await _catalog.CountAdminsAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            var code = Identity.NewSetupCode();
            await console.WriteLineAsync($"hortd: no administrator yet; open {Address}setup in a browser and create one with setup code {code}").ConfigureAwait(false);
        }
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.Services.GetRequiredService<SessionWriters>().DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await _catalog.DisposeAsync().ConfigureAwait(false);
        await _lease.DisposeAsync().ConfigureAwait(false);
        _repository.Dispose();
    }
}
