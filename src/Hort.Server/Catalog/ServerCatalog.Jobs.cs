using Dapper;
using Hort.Protocol;

namespace Hort.Server.Catalog;

public sealed partial class ServerCatalog
{
    private const string JobColumns = "id, pc_id, kind, state, created, started, finished, snapshot_id, message";

    public async Task AddJobAsync(JobDto job, string? payload, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            $"INSERT INTO jobs ({JobColumns}, payload) VALUES (@Id, @PcId, @Kind, @State, @Created, @Started, @Finished, @SnapshotId, @Message, @payload)",
            new
            {
                job.Id, job.PcId, job.Kind, job.State, Created = Ms(job.Created), Started = job.Started is { } s ? Ms(s) : (long?)null,
                Finished = job.Finished is { } f ? Ms(f) : (long?)null, job.SnapshotId, job.Message, payload,
            }).ConfigureAwait(false);
    }

    /// <summary>Jobs, newest first; only the PC's when <paramref name="pcId"/> is given.</summary>
    public async Task<IReadOnlyList<JobDto>> ListJobsAsync(string? pcId, int limit, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<JobRow>(
            $"SELECT {JobColumns} FROM jobs WHERE (@pcId IS NULL OR pc_id = @pcId) ORDER BY created DESC, id LIMIT @limit",
            new { pcId, limit = (long)limit }).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToDto())];
    }

    public async Task<JobDto?> GetJobAsync(string id, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<JobRow>($"SELECT {JobColumns} FROM jobs WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToDto();
    }

    /// <summary>
    /// Sets the state of a job that has not ended; start and finish times are set once. A job being cancelled stays
    /// <c>cancelling</c> until it ends. False when the job had already ended.
    /// </summary>
    public async Task<bool> UpdateJobAsync(string id, string state, DateTimeOffset now, string? snapshotId, string? message, CancellationToken cancellationToken)
    {
        var finished = state is JobValues.Succeeded or JobValues.Failed or JobValues.Cancelled;
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync(
            """
            UPDATE jobs SET state = CASE WHEN state = 'cancelling' AND @finished = 0 THEN state ELSE @state END,
              started = CASE WHEN @state = 'waiting' THEN started ELSE COALESCE(started, @now) END,
              finished = CASE WHEN @finished = 1 THEN @now ELSE finished END,
              snapshot_id = COALESCE(@snapshotId, snapshot_id), message = COALESCE(@message, message)
            WHERE id = @id AND finished IS NULL
            """,
            new { id, state, now = Ms(now), finished = finished ? 1L : 0L, snapshotId, message }).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// Ends a job that is still queued as cancelled, or marks a started one <c>cancelling</c>. Returns the job's
    /// state afterwards, or null when it does not exist; a job that had ended keeps its state.
    /// </summary>
    public async Task<string?> CancelJobAsync(string id, DateTimeOffset now, string message, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            """
            UPDATE jobs SET state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE 'cancelling' END,
              finished = CASE WHEN state = 'queued' THEN @now ELSE finished END, message = @message
            WHERE id = @id AND finished IS NULL
            """,
            new { id, now = Ms(now), message }).ConfigureAwait(false);
        return await c.ExecuteScalarAsync<string?>("SELECT state FROM jobs WHERE id = @id", new { id }).ConfigureAwait(false);
    }

    /// <summary>The request a job was created with (restores), as stored JSON.</summary>
    public async Task<string?> JobPayloadAsync(string id, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteScalarAsync<string?>("SELECT payload FROM jobs WHERE id = @id", new { id }).ConfigureAwait(false);
    }

    public async Task AddJobLogAsync(string jobId, IEnumerable<JobLogEntry> entries, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("INSERT INTO job_log (job_id, time, level, message) VALUES (@jobId, @time, @level, @message)",
            entries.Select(e => new { jobId, time = Ms(e.Time), level = e.Level, message = e.Message })).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<JobLogEntry>> JobLogAsync(string jobId, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<LogRow>("SELECT time, level, message FROM job_log WHERE job_id = @jobId ORDER BY id", new { jobId }).ConfigureAwait(false);
        return [.. rows.Select(r => new JobLogEntry(Time(r.Time), r.Level, r.Message))];
    }

    private sealed class JobRow
    {
        public string Id { get; set; } = "";
        public string PcId { get; set; } = "";
        public string Kind { get; set; } = "";
        public string State { get; set; } = "";
        public long Created { get; set; }
        public long? Started { get; set; }
        public long? Finished { get; set; }
        public string? SnapshotId { get; set; }
        public string? Message { get; set; }

        public JobDto ToDto() => new(Id, PcId, Kind, State, Time(Created), Time(Started), Time(Finished), SnapshotId, Message);
    }

    private sealed class LogRow
    {
        public long Time { get; set; }
        public string Level { get; set; } = "";
        public string Message { get; set; } = "";
    }
}
