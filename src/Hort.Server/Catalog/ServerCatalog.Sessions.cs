using Dapper;

namespace Hort.Server.Catalog;

/// <summary>A backup session as the catalog holds it.</summary>
public sealed record SessionRecord(string Id, string PcId, string State, DateTimeOffset Created, string? JobId, string? SnapshotId);

public sealed partial class ServerCatalog
{
    public async Task<SessionRecord?> OpenSessionOfAsync(string pcId, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QueryFirstOrDefaultAsync<SessionRow>(
            "SELECT id, pc_id, state, created, job_id, snapshot_id FROM sessions WHERE pc_id = @pcId AND state = 'open' ORDER BY created DESC",
            new { pcId }).ConfigureAwait(false);
        return row?.ToRecord();
    }

    public async Task<SessionRecord?> GetSessionAsync(string id, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<SessionRow>(
            "SELECT id, pc_id, state, created, job_id, snapshot_id FROM sessions WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToRecord();
    }

    public async Task AddSessionAsync(SessionRecord session, string pathsJson, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            "INSERT INTO sessions (id, pc_id, state, created, job_id, paths, snapshot_id) VALUES (@Id, @PcId, @State, @created, @JobId, @pathsJson, NULL)",
            new { session.Id, session.PcId, session.State, created = Ms(session.Created), session.JobId, pathsJson }).ConfigureAwait(false);
    }

    /// <summary>Moves an open session to <paramref name="state"/>; false when it was not open.</summary>
    public async Task<bool> CloseSessionAsync(string id, string state, string? snapshotId, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync("UPDATE sessions SET state = @state, snapshot_id = @snapshotId WHERE id = @id AND state = 'open'",
            new { id, state, snapshotId }).ConfigureAwait(false) == 1;
    }

    private sealed class SessionRow
    {
        public string Id { get; set; } = "";
        public string PcId { get; set; } = "";
        public string State { get; set; } = "";
        public long Created { get; set; }
        public string? JobId { get; set; }
        public string? SnapshotId { get; set; }

        public SessionRecord ToRecord() => new(Id, PcId, State, Time(Created), JobId, SnapshotId);
    }
}
