using System.Net;

namespace Hort.Server.Hosting;

/// <summary>Which catalog database the server uses.</summary>
public sealed class CatalogOptions
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    /// <summary><c>sqlite</c> (default, a file in the data folder) or <c>postgresql</c>.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>Npgsql connection string for PostgreSQL; for SQLite an optional file path instead of the default.</summary>
    public string? ConnectionString { get; set; }
}

/// <summary>Cost of Argon2id for admin passwords and for the repository key made at first start.</summary>
public sealed class PasswordHashingOptions
{
    public long Passes { get; set; } = 3;

    public long MemoryKiB { get; set; } = 64 * 1024;
}

/// <summary>Every setting of hortd (file <c>hortd.json</c> in the data folder, <c>HORTD_</c> environment variables, command line).</summary>
public sealed class HortdOptions
{
    /// <summary>The data folder: catalog, repository, certificate, secrets. Default ~/.local/share/hortd, or /var/lib/hortd as root.</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>The IP address to listen on.</summary>
    public string Listen { get; set; } = "127.0.0.1";

    /// <summary>The HTTPS port; 0 picks a free one (tests).</summary>
    public int Port { get; set; } = 8443;

    public CatalogOptions Catalog { get; set; } = new();

    /// <summary>Where the repository lives; default <c>&lt;data&gt;/repository</c>.</summary>
    public string? RepositoryPath { get; set; }

    /// <summary>How long an admin token lives without use.</summary>
    public int AdminTokenHours { get; set; } = 12;

    /// <summary>How long a dashboard session lives without use (minutes).</summary>
    public int DashboardSessionMinutes { get; set; } = 30;

    /// <summary>Failed logins or enrollments per remote address before 429.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    /// <summary>The window failed attempts are counted in, and how long an address is then refused.</summary>
    public int FailureWindowMinutes { get; set; } = 15;

    /// <summary>Failed sign-ins in a row (password or two-factor code) before an account is locked.</summary>
    public int AccountLockoutFailures { get; set; } = 10;

    /// <summary>How long a locked account stays locked (minutes).</summary>
    public int AccountLockoutMinutes { get; set; } = 15;

    /// <summary>Largest body of a request without a valid credential.</summary>
    public int UnauthenticatedBodyLimit { get; set; } = 64 * 1024;

    /// <summary>Largest JSON body of a request with a valid credential.</summary>
    public int AuthenticatedBodyLimit { get; set; } = 4 * 1024 * 1024;

    public PasswordHashingOptions PasswordHashing { get; set; } = new();

    /// <summary>How many backups run at once over all PCs (<c>Jobs:MaxConcurrentBackups</c>) and when an idle one yields.</summary>
    public Jobs.JobOptions Jobs { get; set; } = new();
    /// <summary>Scheduled retention, prune and verification.</summary>
    public Maintenance.MaintenanceOptions Maintenance { get; set; } = new();

    public string CatalogPath => Path.Combine(DataDirectory, "catalog.db");

    public string ResolvedRepositoryPath => RepositoryPath is { Length: > 0 } p ? Path.GetFullPath(p) : Path.Combine(DataDirectory, "repository");

    /// <summary>Every problem with these settings, as sentences; empty when they are valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDirectory)) problems.Add("DataDirectory (--data) is empty");
        if (!IPAddress.TryParse(Listen, out _)) problems.Add($"Listen '{Listen}' is not an IP address (e.g. 127.0.0.1, 0.0.0.0 or ::)");
        if (Port is < 0 or > 65535) problems.Add($"Port {Port} is outside 0..65535");
        switch (Catalog.Provider)
        {
            case CatalogOptions.Sqlite:
                break;
            case CatalogOptions.PostgreSql when string.IsNullOrWhiteSpace(Catalog.ConnectionString):
                problems.Add("Catalog:Provider is postgresql but Catalog:ConnectionString is empty");
                break;
            case CatalogOptions.PostgreSql:
                break;
            default:
                problems.Add($"Catalog:Provider '{Catalog.Provider}' is unknown (use sqlite or postgresql)");
                break;
        }

        if (AdminTokenHours is < 1 or > 24 * 30) problems.Add($"AdminTokenHours {AdminTokenHours} is outside 1..720");
        if (DashboardSessionMinutes is < 1 or > 24 * 60) problems.Add($"DashboardSessionMinutes {DashboardSessionMinutes} is outside 1..1440");
        if (MaxFailedAttempts is < 1 or > 1000) problems.Add($"MaxFailedAttempts {MaxFailedAttempts} is outside 1..1000");
        if (FailureWindowMinutes is < 1 or > 24 * 60) problems.Add($"FailureWindowMinutes {FailureWindowMinutes} is outside 1..1440");
        if (AccountLockoutFailures is < 1 or > 1000) problems.Add($"AccountLockoutFailures {AccountLockoutFailures} is outside 1..1000");
        if (AccountLockoutMinutes is < 1 or > 24 * 60) problems.Add($"AccountLockoutMinutes {AccountLockoutMinutes} is outside 1..1440");
        if (UnauthenticatedBodyLimit is < 1024 or > 1 << 20) problems.Add($"UnauthenticatedBodyLimit {UnauthenticatedBodyLimit} is outside 1024..1048576");
        if (AuthenticatedBodyLimit is < 64 * 1024 or > 1 << 30) problems.Add($"AuthenticatedBodyLimit {AuthenticatedBodyLimit} is outside 65536..1073741824");
        if (PasswordHashing.Passes is < 1 or > 100) problems.Add($"PasswordHashing:Passes {PasswordHashing.Passes} is outside 1..100");
        if (PasswordHashing.MemoryKiB is < 8 or > 16 * 1024 * 1024) problems.Add($"PasswordHashing:MemoryKiB {PasswordHashing.MemoryKiB} is outside 8..16777216");
        problems.AddRange(Jobs.Problems());
        problems.AddRange(Maintenance.Problems());
        return problems;
    }
}
