using Dapper;
using Hort.Protocol;

namespace Hort.Server.Catalog;

/// <summary>An alert to raise: what, how bad, which PC (if any), about what object or job, and the sentence to show.</summary>
public sealed record AlertRaise(string Kind, AlertSeverity Severity, string? PcId, string Subject, string Message);

public sealed partial class ServerCatalog
{
    private const string AlertColumns =
        "id, kind, severity, pc_id, subject, message, first_seen, last_seen, occurrences, acknowledged_by, acknowledged_at";

    /// <summary>
    /// Raises an alert, or, when the same problem (kind, PC, subject) has an alert nobody acknowledged yet, updates its
    /// message, last-seen time and count. With <paramref name="once"/> nothing happens if such an alert ever existed
    /// (for events that happen once, such as a job that failed). Returns the alert's ID. A new alert waits to be mailed
    /// (see <see cref="DueAlertMailsAsync"/>); an update does not mail again.
    /// </summary>
    public async Task<long> RaiseAlertAsync(AlertRaise alert, DateTimeOffset now, bool once, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var pcKey = alert.PcId ?? "";
        var existing = await c.QueryFirstOrDefaultAsync<long?>(
            $"SELECT id FROM alerts WHERE kind = @Kind AND subject = @Subject AND COALESCE(pc_id, '') = @pcKey {(once ? "" : "AND acknowledged_at IS NULL")} ORDER BY id DESC",
            new { alert.Kind, alert.Subject, pcKey }).ConfigureAwait(false);
        if (existing is { } id)
        {
            if (!once)
            {
                await c.ExecuteAsync(
                    "UPDATE alerts SET message = @Message, severity = @severity, last_seen = @now, occurrences = occurrences + 1 WHERE id = @id",
                    new { alert.Message, severity = alert.Severity.ToString(), now = Ms(now), id }).ConfigureAwait(false);
            }

            return id;
        }

        return await c.ExecuteScalarAsync<long>(
            """
            INSERT INTO alerts (kind, severity, pc_id, subject, message, first_seen, last_seen, occurrences, mail_due)
            VALUES (@Kind, @severity, @PcId, @Subject, @Message, @now, @now, 1, @now) RETURNING id
            """,
            new { alert.Kind, severity = alert.Severity.ToString(), alert.PcId, alert.Subject, alert.Message, now = Ms(now) }).ConfigureAwait(false);
    }

    /// <summary>The newest alerts first; only those nobody acknowledged unless <paramref name="includeAcknowledged"/>.</summary>
    public async Task<IReadOnlyList<AlertDto>> ListAlertsAsync(bool includeAcknowledged, string? pcId, int limit, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<AlertRow>(
            $"""
            SELECT {AlertColumns} FROM alerts
            WHERE (@all = 1 OR acknowledged_at IS NULL) AND (@pcKey = '' OR pc_id = @pcKey)
            ORDER BY last_seen DESC, id DESC LIMIT @limit
            """,
            new { all = includeAcknowledged ? 1L : 0L, pcKey = pcId ?? "", limit = (long)limit }).ConfigureAwait(false);
        return [.. rows.Select(static r => r.ToDto())];
    }

    public async Task<AlertDto?> GetAlertAsync(long id, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<AlertRow>($"SELECT {AlertColumns} FROM alerts WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToDto();
    }

    /// <summary>Marks an alert acknowledged (the first acknowledgement stays); false when there is no such alert.</summary>
    public async Task<bool> AcknowledgeAlertAsync(long id, string admin, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            "UPDATE alerts SET acknowledged_by = @admin, acknowledged_at = @now WHERE id = @id AND acknowledged_at IS NULL",
            new { id, admin, now = Ms(now) }).ConfigureAwait(false);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM alerts WHERE id = @id", new { id }).ConfigureAwait(false) == 1;
    }

    private class AlertRow
    {
        public long Id { get; set; }
        public string Kind { get; set; } = "";
        public string Severity { get; set; } = "";
        public string? PcId { get; set; }
        public string Subject { get; set; } = "";
        public string Message { get; set; } = "";
        public long FirstSeen { get; set; }
        public long LastSeen { get; set; }
        public long Occurrences { get; set; }
        public string? AcknowledgedBy { get; set; }
        public long? AcknowledgedAt { get; set; }

        public AlertDto ToDto() => new(Id, Kind, Enum.Parse<AlertSeverity>(Severity), PcId, Subject, Message,
            Time(FirstSeen), Time(LastSeen), Occurrences, AcknowledgedBy, Time(AcknowledgedAt));
    }
}
