using Dapper;
using Hort.Protocol;

namespace Hort.Server.Catalog;

/// <summary>An alert waiting to be mailed, with how often sending it failed so far.</summary>
public sealed record AlertMail(AlertDto Alert, DateTimeOffset Due, long Attempts);

/// <summary>Whether and when an alert was mailed, and the last error while it was not.</summary>
public sealed record AlertMailState(DateTimeOffset? MailedAt, DateTimeOffset? Due, long Attempts, string? Error);

/// <summary>The repository's size and the free space of its file system at one time (the Storage page's chart).</summary>
/// <param name="RepositoryBytes">Bytes of all packs in the index: what the repository takes on disk, less its small metadata.</param>
/// <param name="ProtectedBytes">Bytes of the files in each PC's newest snapshot, added up: what a full restore of every PC gives.</param>
public sealed record StorageSample(
    DateTimeOffset Time, long RepositoryBytes, long Packs, long ProtectedBytes, long? FreeBytes, long? CapacityBytes);

public sealed partial class ServerCatalog
{
    /// <summary>A setting's stored text, or null when it was never set.</summary>
    public async Task<string?> GetSettingAsync(string name, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.QuerySingleOrDefaultAsync<string?>("SELECT value FROM settings WHERE name = @name", new { name }).ConfigureAwait(false);
    }

    public async Task PutSettingAsync(string name, string value, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("INSERT INTO settings (name, value) VALUES (@name, @value) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            new { name, value }).ConfigureAwait(false);
    }

    /// <summary>
    /// Raises an alert for a condition that lasts (no backup for days, a nearly full disk): updates the open alert of the
    /// same problem, or raises a new one. While an administrator has acknowledged the alert and the condition has not
    /// ended since (<see cref="ResolveConditionAlertsAsync"/>), nothing happens and null is returned.
    /// </summary>
    public async Task<(long Id, bool New)?> RaiseConditionAlertAsync(AlertRaise alert, DateTimeOffset now, CancellationToken cancellationToken)
    {
        bool open;
        await using (var c = await ConnectAsync(cancellationToken).ConfigureAwait(false))
        {
            var newest = (await c.QueryAsync<(long Id, long? AcknowledgedAt, long? ResolvedAt)>(
                "SELECT id, acknowledged_at, resolved_at FROM alerts WHERE kind = @Kind AND subject = @Subject AND COALESCE(pc_id, '') = @pcKey ORDER BY id DESC LIMIT 1",
                new { alert.Kind, alert.Subject, pcKey = alert.PcId ?? "" }).ConfigureAwait(false)).ToList();
            if (newest is [{ ResolvedAt: null, AcknowledgedAt: not null }]) return null;
            open = newest is [{ ResolvedAt: null, AcknowledgedAt: null }];
        }

        return (await RaiseAlertAsync(alert, now, once: false, cancellationToken).ConfigureAwait(false), !open);
    }

    /// <summary>
    /// The condition of alerts (kind, PC, subject) has ended: each not resolved yet is marked resolved and, if nobody
    /// acknowledged it, acknowledged by <paramref name="by"/>; one not mailed yet is not mailed any more. Returns how many.
    /// </summary>
    public async Task<int> ResolveConditionAlertsAsync(string kind, string? pcId, string subject, string by, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync(
            """
            UPDATE alerts SET resolved_at = @now, acknowledged_by = COALESCE(acknowledged_by, @by),
                acknowledged_at = COALESCE(acknowledged_at, @now), mail_due = NULL
            WHERE kind = @kind AND subject = @subject AND COALESCE(pc_id, '') = @pcKey AND resolved_at IS NULL
            """,
            new { kind, subject, pcKey = pcId ?? "", by, now = Ms(now) }).ConfigureAwait(false);
    }

    /// <summary>
    /// Alerts whose e-mail is due at <paramref name="now"/>, oldest first. An alert acknowledged before its mail went out
    /// is not mailed any more: somebody has seen it.
    /// </summary>
    public async Task<IReadOnlyList<AlertMail>> DueAlertMailsAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("UPDATE alerts SET mail_due = NULL WHERE mail_due IS NOT NULL AND acknowledged_at IS NOT NULL").ConfigureAwait(false);
        var rows = await c.QueryAsync<AlertMailRow>(
            $"SELECT {AlertColumns}, mail_due, mail_attempts FROM alerts WHERE mail_due IS NOT NULL AND mail_due <= @now ORDER BY id LIMIT @limit",
            new { now = Ms(now), limit = (long)limit }).ConfigureAwait(false);
        return [.. rows.Select(static r => new AlertMail(r.ToDto(), Time(r.MailDue), r.MailAttempts))];
    }

    /// <summary>
    /// Takes an alert's mail for sending until <paramref name="until"/>; false when another server (sharing a PostgreSQL
    /// catalog) took it first. A server that dies while sending leaves the claim to lapse, and the mail is tried again.
    /// </summary>
    public async Task<bool> ClaimAlertMailAsync(long id, DateTimeOffset due, DateTimeOffset until, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync("UPDATE alerts SET mail_due = @until WHERE id = @id AND mail_due = @due",
            new { id, due = Ms(due), until = Ms(until) }).ConfigureAwait(false) == 1;
    }

    public async Task AlertMailedAsync(long id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("UPDATE alerts SET mail_due = NULL, mailed_at = @now, mail_error = NULL WHERE id = @id",
            new { id, now = Ms(now) }).ConfigureAwait(false);
    }

    public async Task AlertMailFailedAsync(long id, DateTimeOffset retryAt, string error, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("UPDATE alerts SET mail_due = @retryAt, mail_attempts = mail_attempts + 1, mail_error = @error WHERE id = @id",
            new { id, retryAt = Ms(retryAt), error }).ConfigureAwait(false);
    }

    /// <summary>Forgets every mail not sent yet (e-mail is switched off: an alert raised meanwhile is not mailed later).</summary>
    public async Task<int> DropAlertMailsAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync("UPDATE alerts SET mail_due = NULL WHERE mail_due IS NOT NULL").ConfigureAwait(false);
    }

    public async Task<AlertMailState?> AlertMailStateAsync(long id, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<(long? MailedAt, long? MailDue, long MailAttempts, string? MailError)>(
            "SELECT mailed_at, mail_due, mail_attempts, mail_error FROM alerts WHERE id = @id", new { id }).ConfigureAwait(false);
        return rows.Select(static r => new AlertMailState(Time(r.MailedAt), Time(r.MailDue), r.MailAttempts, r.MailError)).FirstOrDefault();
    }

    /// <summary>Bytes of the files in each PC's newest snapshot, added up.</summary>
    public async Task<long> ProtectedBytesAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteScalarAsync<long>(
            """
            SELECT COALESCE(SUM(s.total_bytes), 0) FROM snapshots s
            JOIN (SELECT pc_id, MAX(time) AS newest FROM snapshots GROUP BY pc_id) n ON s.pc_id = n.pc_id AND s.time = n.newest
            """).ConfigureAwait(false);
    }

    /// <summary>Records a storage sample (a second one at the same millisecond is ignored).</summary>
    public async Task AddStorageSampleAsync(StorageSample sample, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            """
            INSERT INTO storage_samples (time, repository_bytes, packs, protected_bytes, free_bytes, capacity_bytes)
            VALUES (@time, @RepositoryBytes, @Packs, @ProtectedBytes, @FreeBytes, @CapacityBytes) ON CONFLICT (time) DO NOTHING
            """,
            new { time = Ms(sample.Time), sample.RepositoryBytes, sample.Packs, sample.ProtectedBytes, sample.FreeBytes, sample.CapacityBytes })
            .ConfigureAwait(false);
    }

    /// <summary>Storage samples taken at or after <paramref name="since"/>, oldest first.</summary>
    public async Task<IReadOnlyList<StorageSample>> ListStorageSamplesAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<StorageSampleRow>(
            "SELECT time, repository_bytes, packs, protected_bytes, free_bytes, capacity_bytes FROM storage_samples WHERE time >= @since ORDER BY time",
            new { since = Ms(since) }).ConfigureAwait(false);
        return [.. rows.Select(static r => r.ToSample())];
    }

    /// <summary>The newest storage sample, or null when none was taken yet.</summary>
    public async Task<StorageSample?> LatestStorageSampleAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QueryFirstOrDefaultAsync<StorageSampleRow>(
            "SELECT time, repository_bytes, packs, protected_bytes, free_bytes, capacity_bytes FROM storage_samples ORDER BY time DESC LIMIT 1")
            .ConfigureAwait(false);
        return row?.ToSample();
    }

    private sealed class AlertMailRow : AlertRow
    {
        public long MailDue { get; set; }
        public long MailAttempts { get; set; }
    }

    private sealed class StorageSampleRow
    {
        public long Time { get; set; }
        public long RepositoryBytes { get; set; }
        public long Packs { get; set; }
        public long ProtectedBytes { get; set; }
        public long? FreeBytes { get; set; }
        public long? CapacityBytes { get; set; }

        public StorageSample ToSample() => new(ServerCatalog.Time(Time), RepositoryBytes, Packs, ProtectedBytes, FreeBytes, CapacityBytes);
    }
}
