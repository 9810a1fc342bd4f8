namespace Hort.Protocol;

/// <summary>What hortd maintains on a schedule (protocol.md §10).</summary>
public enum MaintenanceKind
{
    /// <summary>Forgetting snapshots each PC's policy no longer keeps.</summary>
    Retention,

    /// <summary>Deleting data no snapshot uses (two-phase prune).</summary>
    Prune,

    /// <summary>Checking the repository's structure and reading a rotating share of its data.</summary>
    Verify,
}

/// <summary>How a maintenance run ended.</summary>
public enum MaintenanceResult
{
    /// <summary>Still running.</summary>
    Running,

    /// <summary>Done, and it found nothing wrong.</summary>
    Succeeded,

    /// <summary>Done, but it waits for something (a prune's deletion waits for backup sessions); finished later by itself.</summary>
    Deferred,

    /// <summary>It ran and found problems (named in alerts).</summary>
    ProblemsFound,

    /// <summary>It could not run to the end (its error is the summary and an alert).</summary>
    Failed,
}

/// <summary>One maintenance run: GET /api/v1/maintenance.</summary>
public sealed record MaintenanceRunDto(
    long Id, MaintenanceKind Kind, string Cause, DateTimeOffset Started, DateTimeOffset? Finished, MaintenanceResult Result, string Summary);

/// <summary>GET /api/v1/maintenance: the latest runs (newest first) and when each kind runs next by schedule.</summary>
public sealed record MaintenanceStatusResponse(IReadOnlyList<MaintenanceRunDto> Runs, IReadOnlyList<MaintenanceNextDto> Next);

/// <summary>When a kind of maintenance runs next by schedule (null when schedules are off).</summary>
public sealed record MaintenanceNextDto(MaintenanceKind Kind, DateTimeOffset? Next);

/// <summary>How bad an alert is.</summary>
public enum AlertSeverity
{
    /// <summary>Worth knowing; nothing is at risk yet (e.g. a deletion waits longer than usual).</summary>
    Warning,

    /// <summary>Something failed or data is damaged: backups or history are at risk until someone acts.</summary>
    Error,
}

/// <summary>What an alert is about; stable strings for filters, dashboards and e-mail rules.</summary>
public static class AlertKinds
{
    public const string RetentionFailed = "retention-failed";
    public const string PruneFailed = "prune-failed";
    public const string PruneRefused = "prune-refused";
    public const string PruneDeferred = "prune-deferred";
    public const string VerifyFailed = "verify-failed";
    public const string DamageFound = "damage-found";
    public const string BackupFailed = "backup-failed";
    public const string BackupPartial = "backup-partial";

    /// <summary>A PC has had no successful backup for the number of days set in the e-mail settings; resolved by its next backup.</summary>
    public const string NoBackup = "no-backup";

    /// <summary>The repository's file system is fuller than the percentage set in the e-mail settings; resolved when it is not.</summary>
    public const string StorageFull = "storage-full";
}

/// <summary>
/// One problem hortd found: GET /api/v1/alerts. The same problem found again (same kind, PC and subject) while the
/// alert is not acknowledged updates <see cref="LastSeen"/> and <see cref="Occurrences"/> instead of adding an alert.
/// </summary>
public sealed record AlertDto(
    long Id, string Kind, AlertSeverity Severity, string? PcId, string Subject, string Message,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen, long Occurrences, string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt);
