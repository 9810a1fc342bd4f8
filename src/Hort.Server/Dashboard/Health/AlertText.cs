using Hort.Protocol;
using Hort.Server.Dashboard.Text;

namespace Hort.Server.Dashboard.Health;

/// <summary>Readable names of alert kinds and severities (alerts.tsv); a kind without one shows as it is stored.</summary>
public static class AlertText
{
    public static string Kind(PageText text, string kind) => kind switch
    {
        AlertKinds.RetentionFailed => text["alerts.kind.retentionFailed"],
        AlertKinds.PruneFailed => text["alerts.kind.pruneFailed"],
        AlertKinds.PruneRefused => text["alerts.kind.pruneRefused"],
        AlertKinds.PruneDeferred => text["alerts.kind.pruneDeferred"],
        AlertKinds.VerifyFailed => text["alerts.kind.verifyFailed"],
        AlertKinds.DamageFound => text["alerts.kind.damageFound"],
        AlertKinds.BackupFailed => text["alerts.kind.backupFailed"],
        AlertKinds.BackupPartial => text["alerts.kind.backupPartial"],
        AlertKinds.NoBackup => text["alerts.kind.noBackup"],
        AlertKinds.StorageFull => text["alerts.kind.storageFull"],
        _ => kind,
    };

    public static string Severity(PageText text, AlertSeverity severity) =>
        severity == AlertSeverity.Error ? text["alerts.severity.error"] : text["alerts.severity.warning"];

    /// <summary>The state colour class of a severity.</summary>
    public static string SeverityClass(AlertSeverity severity) => severity == AlertSeverity.Error ? "red" : "amber";
}
