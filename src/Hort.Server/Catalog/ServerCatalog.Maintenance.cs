using Dapper;
using Hort.Protocol;

namespace Hort.Server.Catalog;

public sealed partial class ServerCatalog
{
    /// <summary>Records that a maintenance run started; returns its ID.</summary>
    public async Task<long> StartMaintenanceRunAsync(MaintenanceKind kind, string cause, DateTimeOffset started, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteScalarAsync<long>(
            "INSERT INTO maintenance_runs (kind, cause, started, result, summary) VALUES (@kind, @cause, @started, @result, '') RETURNING id",
            new { kind = kind.ToString(), cause, started = Ms(started), result = MaintenanceResult.Running.ToString() }).ConfigureAwait(false);
    }

    public async Task FinishMaintenanceRunAsync(long id, DateTimeOffset finished, MaintenanceResult result, string summary, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("UPDATE maintenance_runs SET finished = @finished, result = @result, summary = @summary WHERE id = @id",
            new { id, finished = Ms(finished), result = result.ToString(), summary }).ConfigureAwait(false);
    }

    /// <summary>The newest runs first, of one kind or of all.</summary>
    public async Task<IReadOnlyList<MaintenanceRunDto>> ListMaintenanceRunsAsync(MaintenanceKind? kind, int limit, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<RunRow>(
            "SELECT id, kind, cause, started, finished, result, summary FROM maintenance_runs WHERE (@kind = '' OR kind = @kind) ORDER BY id DESC LIMIT @limit",
            new { kind = kind?.ToString() ?? "", limit = (long)limit }).ConfigureAwait(false);
        return [.. rows.Select(static r => r.ToDto())];
    }

    /// <summary>Backup sessions still open that were opened at or after <paramref name="since"/>.</summary>
    public async Task<long> CountOpenSessionsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sessions WHERE state = 'open' AND created >= @since",
            new { since = Ms(since) }).ConfigureAwait(false);
    }

    /// <summary>Removes snapshots retention forgot from the catalog (the repository is the truth; this keeps the cache equal).</summary>
    public async Task RemoveSnapshotsAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        foreach (var id in ids)
        {
            await c.ExecuteAsync("DELETE FROM snapshots WHERE id = @id", new { id }).ConfigureAwait(false);
        }
    }

    private sealed class RunRow
    {
        public long Id { get; set; }
        public string Kind { get; set; } = "";
        public string Cause { get; set; } = "";
        public long Started { get; set; }
        public long? Finished { get; set; }
        public string Result { get; set; } = "";
        public string Summary { get; set; } = "";

        public MaintenanceRunDto ToDto() => new(Id, Enum.Parse<MaintenanceKind>(Kind), Cause, Time(Started), Time(Finished),
            Enum.Parse<MaintenanceResult>(Result), Summary);
    }
}
