using System.Globalization;
using Hort.Server.Catalog;
using Hort.Server.Maintenance;

namespace Hort.Server.Notifications;

/// <summary>How a PC stands in the weekly summary.</summary>
public enum PcHealth
{
    Ok,

    /// <summary>Backed up in time, but it has open alerts.</summary>
    Attention,

    /// <summary>No successful backup for the configured number of days (or never).</summary>
    NoBackup,
}

/// <summary>
/// The weekly summary e-mail: each PC's last successful backup, days since and state; the open alerts; the
/// repository's size, its growth over seven days and the free space. Sent on the configured day and hour (server
/// local time); one missed while hortd was stopped goes out at the first tick after it starts; a failed one is
/// tried again every 15 minutes.
/// </summary>
public sealed partial class WeeklySummary(
    ServerCatalog catalog, NotificationSettingsStore settings, MailSender sender, StorageHistory storage, TimeProvider time, ILogger<WeeklySummary> log)
{
    /// <summary>The <c>settings</c> row holding when the last summary went out (milliseconds since the epoch).</summary>
    public const string LastSentSetting = "weekly-summary.last-sent";

    public static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(15);

    private readonly DateTimeOffset _started = time.GetUtcNow();
    private DateTimeOffset _retryAt = DateTimeOffset.MinValue;

    /// <summary>When the next summary is due; null while it is off or e-mail is not set up.</summary>
    public async Task<DateTimeOffset?> NextAsync(CancellationToken cancellationToken)
    {
        var current = await settings.GetAsync(cancellationToken).ConfigureAwait(false);
        if (!current.WeeklySummary || !current.MailEnabled) return null;
        var last = await catalog.GetSettingAsync(LastSentSetting, cancellationToken).ConfigureAwait(false) is { } text
            ? ServerCatalog.Time(long.Parse(text, CultureInfo.InvariantCulture))
            : _started;
        return MaintenanceSchedule.NextWeekly(last, current.SummaryDay, current.SummaryTime, time.LocalTimeZone);
    }

    /// <summary>Sends the summary when it is due; true when it went out.</summary>
    public async Task<bool> SendIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (await NextAsync(cancellationToken).ConfigureAwait(false) is not { } due || now < due || now < _retryAt) return false;
        try
        {
            var current = await settings.GetAsync(cancellationToken).ConfigureAwait(false);
            await sender.SendAsync(await ComposeAsync(current, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (MailDeliveryException e)
        {
            _retryAt = now + RetryDelay;
            LogFailed(log, RetryDelay.TotalMinutes, e.Message);
            return false;
        }

        await catalog.PutSettingAsync(LastSentSetting, ServerCatalog.Ms(now).ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The summary as of now in the settings' language.</summary>
    public async Task<MailContent> ComposeAsync(NotificationSettings current, CancellationToken cancellationToken)
    {
        var t = new MailTexts(current.Language, time.LocalTimeZone);
        var now = time.GetUtcNow();
        var last = await catalog.LastSnapshotTimesAsync(cancellationToken).ConfigureAwait(false);
        var open = await catalog.ListAlertsAsync(false, null, 200, cancellationToken).ConfigureAwait(false);
        var pcs = (await catalog.ListPcsAsync(cancellationToken).ConfigureAwait(false)).Where(static p => !p.Revoked)
            .OrderBy(static p => p.Name, StringComparer.OrdinalIgnoreCase).ToList();

        var rows = new List<IReadOnlyList<string>>();
        var attention = 0;
        foreach (var pc in pcs)
        {
            int? days = last.TryGetValue(pc.Id, out var at) ? (int)Math.Floor((now - at).TotalDays) : null;
            var state = days is null || days >= current.NoBackupDays ? PcHealth.NoBackup
                : open.Any(a => a.PcId == pc.Id) ? PcHealth.Attention : PcHealth.Ok;
            if (state != PcHealth.Ok) attention++;
            rows.Add([
                pc.Name,
                days is null ? t["summary.never"] : t.Time(at),
                days?.ToString(CultureInfo.InvariantCulture) ?? "–",
                t.Format("state." + state, current.NoBackupDays),
            ]);
        }

        var names = pcs.ToDictionary(static p => p.Id, static p => p.Name, StringComparer.Ordinal);
        var alertRows = open.Select(a => (IReadOnlyList<string>)[
            $"{t.Time(a.FirstSeen)} {t[a.Severity.ToString()]}: {t[a.Kind]}{(a.PcId is { } id ? " – " + names.GetValueOrDefault(id, id) : "")}: {a.Message}",
        ]).ToList();
        if (alertRows.Count == 0) alertRows.Add([t["summary.noAlerts"]]);

        var sample = await storage.MeasureAsync(cancellationToken).ConfigureAwait(false);
        var weekAgo = (await storage.SeriesAsync(now.AddDays(-7.5), cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        List<IReadOnlyList<string>> storageRows =
        [
            [t["summary.size"], t.Bytes(sample.RepositoryBytes)],
            [t["summary.growth"], weekAgo is null ? t["summary.unknown"] : (sample.RepositoryBytes >= weekAgo.RepositoryBytes ? "+" : "") + t.Bytes(sample.RepositoryBytes - weekAgo.RepositoryBytes)],
            [t["summary.free"], sample.FreeBytes is { } free ? t.Bytes(free) : t["summary.unknown"]],
        ];

        List<MailSection> sections =
        [
            pcs.Count == 0
                ? new MailSection(t["summary.pcs"], null, [[t["summary.none"]]])
                : new MailSection(t["summary.pcs"], [t["summary.name"], t["summary.last"], t["summary.days"], t["summary.state"]], rows),
            new MailSection(t["summary.alerts"], null, alertRows),
            new MailSection(t["summary.storage"], null, storageRows),
        ];
        var day = TimeZoneInfo.ConvertTime(now, t.Zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return MailTexts.Compose(t.Format("summary.subject", pcs.Count, attention), t.Format("summary.intro", day), sections, null);
    }

    [LoggerMessage(EventId = 764, Level = LogLevel.Warning, Message = "the weekly summary e-mail failed; trying again in {Minutes} min: {Reason}")]
    private static partial void LogFailed(ILogger logger, double minutes, string reason);
}
