using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Notifications;

namespace Hort.Server.Maintenance;

/// <summary>
/// Raises alerts: writes them to the catalog (where the API, the dashboard and e-mail find them) and to the log, and
/// wakes the <see cref="AlertMailer"/>, which mails a new alert once without holding up the caller.
/// The same problem found again updates its alert instead of adding one.
/// </summary>
public sealed partial class AlertRaiser(ServerCatalog catalog, AlertMailer mailer, TimeProvider time, ILogger<AlertRaiser> log)
{
    /// <summary>Most affected paths an alert's message lists; the rest are counted.</summary>
    public const int MaxPathsInMessage = 20;

    /// <summary>Who acknowledges a condition alert whose condition ended by itself.</summary>
    public const string ResolvedBy = "hortd (resolved)";

    public async Task<long> RaiseAsync(AlertRaise alert, CancellationToken cancellationToken, bool once = false)
    {
        LogAlert(log, alert.Severity, alert.Kind, alert.PcId ?? "-", alert.Subject, alert.Message);
        var id = await catalog.RaiseAlertAsync(alert, time.GetUtcNow(), once, cancellationToken).ConfigureAwait(false);
        mailer.Wake();
        return id;
    }

    /// <summary>
    /// Raises or updates the alert of a condition that lasts (see <see cref="ServerCatalog.RaiseConditionAlertAsync"/>);
    /// only a new one is logged and mailed.
    /// </summary>
    public async Task RaiseConditionAsync(AlertRaise alert, CancellationToken cancellationToken)
    {
        if (await catalog.RaiseConditionAlertAsync(alert, time.GetUtcNow(), cancellationToken).ConfigureAwait(false) is { New: true })
        {
            LogAlert(log, alert.Severity, alert.Kind, alert.PcId ?? "-", alert.Subject, alert.Message);
            mailer.Wake();
        }
    }

    /// <summary>A condition ended: its open alerts are resolved (and acknowledged by <see cref="ResolvedBy"/>).</summary>
    public async Task ResolveConditionAsync(string kind, string? pcId, string subject, CancellationToken cancellationToken)
    {
        if (await catalog.ResolveConditionAlertsAsync(kind, pcId, subject, ResolvedBy, time.GetUtcNow(), cancellationToken).ConfigureAwait(false) > 0)
        {
            LogResolved(log, kind, pcId ?? "-", subject);
        }
    }

    /// <summary>
    /// A backup job ended in <paramref name="state"/>: one that failed, or succeeded with files it could not read, raises
    /// an alert; one an administrator cancelled does not.
    /// </summary>
    public Task BackupEndedAsync(JobDto job, string state, JobResult result, CancellationToken cancellationToken)
    {
        if (job.Kind != JobValues.Backup || state == JobValues.Cancelled) return Task.CompletedTask;
        if (state == JobValues.Failed)
        {
            return RaiseAsync(new AlertRaise(AlertKinds.BackupFailed, AlertSeverity.Error, job.PcId, "job " + job.Id,
                $"the backup job {job.Id} failed: {result.Message ?? "no reason given"}"), cancellationToken, once: true);
        }

        return result.ErrorCount > 0
            ? RaiseAsync(new AlertRaise(AlertKinds.BackupPartial, AlertSeverity.Warning, job.PcId, "job " + job.Id,
                $"the backup job {job.Id} saved snapshot {result.SnapshotId} but could not read {result.ErrorCount} item(s){(result.Message is { Length: > 0 } m ? ": " + m : "")}"),
                cancellationToken, once: true)
            : Task.CompletedTask;
    }

    /// <summary>A message naming a problem and the snapshot paths it affects (at most <see cref="MaxPathsInMessage"/>).</summary>
    public static string WithPaths(string message, IReadOnlyList<string> affected) =>
        affected.Count == 0
            ? message
            : $"{message}; affects {string.Join(", ", affected.Take(MaxPathsInMessage))}{(affected.Count > MaxPathsInMessage ? $" and {affected.Count - MaxPathsInMessage} more" : "")}";

    [LoggerMessage(EventId = 710, Level = LogLevel.Warning, Message = "alert ({Severity}) {Kind} pc {PcId} {Subject}: {Message}")]
    private static partial void LogAlert(ILogger logger, AlertSeverity severity, string kind, string pcId, string subject, string message);

    [LoggerMessage(EventId = 711, Level = LogLevel.Information, Message = "alert {Kind} pc {PcId} {Subject} resolved: the condition ended")]
    private static partial void LogResolved(ILogger logger, string kind, string pcId, string subject);
}
