using System.Globalization;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Maintenance;

namespace Hort.Server.Notifications;

/// <summary>
/// Checks the conditions that last rather than happen: a PC without a successful backup for the configured number of
/// days, and a repository file system fuller than the configured percentage. Each raises one alert while it lasts
/// (updated at each check, mailed once) and resolves it when it ends: a PC's next backup, space freed.
/// </summary>
public sealed class AlertConditions(ServerCatalog catalog, AlertRaiser alerts, StorageHistory storage, NotificationSettingsStore settings, TimeProvider time)
{
    /// <summary>The subject of every no-backup alert (one per PC).</summary>
    public const string NoBackupSubject = "backups";

    /// <summary>The subject of the storage alert.</summary>
    public const string StorageSubject = "repository file system";

    private const double GiB = 1024.0 * 1024 * 1024;

    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var current = await settings.GetAsync(cancellationToken).ConfigureAwait(false);
        await CheckBackupsAsync(current.NoBackupDays, cancellationToken).ConfigureAwait(false);
        await CheckStorageAsync(current.StorageFullPercent, cancellationToken).ConfigureAwait(false);
    }

    private async Task CheckBackupsAsync(int days, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var last = await catalog.LastSnapshotTimesAsync(ct).ConfigureAwait(false);
        foreach (var pc in await catalog.ListPcsAsync(ct).ConfigureAwait(false))
        {
            var hasBackup = last.TryGetValue(pc.Id, out var lastBackup);
            var since = hasBackup ? lastBackup : pc.Enrolled;
            var without = (int)Math.Floor((now - since).TotalDays);
            if (pc.Revoked || without < days)
            {
                await alerts.ResolveConditionAsync(AlertKinds.NoBackup, pc.Id, NoBackupSubject, ct).ConfigureAwait(false);
                continue;
            }

            var message = hasBackup
                ? string.Create(CultureInfo.InvariantCulture, $"{pc.Name} has had no successful backup for {without} days; the last one was received {lastBackup:yyyy-MM-dd HH:mm} UTC")
                : $"{pc.Name} has had no successful backup in the {without} days since it was enrolled";
            await alerts.RaiseConditionAsync(new AlertRaise(AlertKinds.NoBackup, AlertSeverity.Error, pc.Id, NoBackupSubject, message), ct)
                .ConfigureAwait(false);
        }
    }

    private async Task CheckStorageAsync(int percent, CancellationToken ct)
    {
        if (storage.Space() is not { } space) return;
        if (space.UsedPercent < percent)
        {
            await alerts.ResolveConditionAsync(AlertKinds.StorageFull, null, StorageSubject, ct).ConfigureAwait(false);
            return;
        }

        var message = string.Create(CultureInfo.InvariantCulture,
            $"the repository's file system is {space.UsedPercent:0}% full: {space.FreeBytes / GiB:0.0} GiB free of {space.CapacityBytes / GiB:0.0} GiB; free space or move the repository before backups fail");
        await alerts.RaiseConditionAsync(new AlertRaise(AlertKinds.StorageFull, AlertSeverity.Warning, null, StorageSubject, message), ct)
            .ConfigureAwait(false);
    }
}
