using Hort.Server.Notifications;

namespace Hort.Server.Dashboard.Health;

/// <summary>The settings the health rules depend on: the red limit in days (the alert settings' days without backup), and the repository's free space.</summary>
public sealed class HealthSettings(NotificationSettingsStore settings, StorageHistory storage)
{
    /// <summary>Days without a successful backup that turn a PC red.</summary>
    public async Task<int> RedDaysAsync(CancellationToken cancellationToken) =>
        (await settings.GetAsync(cancellationToken).ConfigureAwait(false)).NoBackupDays;

    /// <summary>The repository file system's free and total bytes, or null when it cannot be asked.</summary>
    public DiskSpace? Space() => storage.Space();
}
