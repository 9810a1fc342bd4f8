using Hort.Protocol;
using Hort.Server.Catalog;

namespace Hort.Server.Notifications;

/// <summary>
/// Mails each new alert once to the configured recipients. The catalog holds which alerts still wait for their mail
/// (<see cref="ServerCatalog.DueAlertMailsAsync"/>), so nothing is lost when sending fails or hortd stops: a failure
/// is logged, kept with the alert and tried again later, waiting longer after each failure (1 minute, doubling up
/// to an hour). Repeats of an alert are not mailed. While e-mail is not set up, new alerts are not queued for later.
/// </summary>
public sealed partial class AlertMailer(
    ServerCatalog catalog, NotificationSettingsStore settings, MailSender sender, TimeProvider time, ILogger<AlertMailer> log)
{
    /// <summary>How long a mail is held by the server sending it before another may try.</summary>
    public static readonly TimeSpan ClaimTime = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);

    private const int Batch = 50;

    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Tells the mailer a new alert may wait; returns at once.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already woken.
        }
    }

    /// <summary>Waits until <see cref="Wake"/> is called or <paramref name="timeout"/> passes.</summary>
    public async Task WaitForWakeAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await _wake.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);

    /// <summary>The delay before the next try after <paramref name="failures"/> failed ones (at least one).</summary>
    public static TimeSpan RetryDelay(long failures) =>
        failures >= 7 ? MaxRetryDelay : TimeSpan.FromMinutes(Math.Min(MaxRetryDelay.TotalMinutes, 1 << (int)Math.Max(0, failures - 1)));

    /// <summary>Sends every alert mail that is due now; returns how many went out. Stops at the first failure.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await settings.GetAsync(cancellationToken).ConfigureAwait(false);
            if (!current.MailEnabled)
            {
                var dropped = await catalog.DropAlertMailsAsync(cancellationToken).ConfigureAwait(false);
                if (dropped > 0) LogNotSetUp(log, dropped);
                return 0;
            }

            var sent = 0;
            var now = time.GetUtcNow();
            foreach (var mail in await catalog.DueAlertMailsAsync(now, Batch, cancellationToken).ConfigureAwait(false))
            {
                if (!await catalog.ClaimAlertMailAsync(mail.Alert.Id, mail.Due, now + ClaimTime, cancellationToken).ConfigureAwait(false)) continue;
                try
                {
                    var pc = mail.Alert.PcId is { } pcId ? await catalog.GetPcAsync(pcId, cancellationToken).ConfigureAwait(false) : null;
                    await sender.SendAsync(Compose(mail.Alert, pc?.Name, new MailTexts(current.Language, time.LocalTimeZone)), cancellationToken).ConfigureAwait(false);
                }
                catch (MailDeliveryException e)
                {
                    var retry = RetryDelay(mail.Attempts + 1);
                    await catalog.AlertMailFailedAsync(mail.Alert.Id, time.GetUtcNow() + retry, e.Message, cancellationToken).ConfigureAwait(false);
                    LogRetry(log, mail.Alert.Id, mail.Attempts + 1, retry.TotalMinutes, e.Message);
                    break; // the others wait for the next round rather than each waiting for the same broken server
                }

                await catalog.AlertMailedAsync(mail.Alert.Id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                sent++;
            }

            return sent;
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>The e-mail for one alert.</summary>
    internal static MailContent Compose(AlertDto alert, string? pcName, MailTexts t)
    {
        var kind = t[alert.Kind];
        var subject = $"{t[alert.Severity.ToString()]}: {kind}{(pcName is null ? "" : " – " + pcName)}";
        List<IReadOnlyList<string>> rows = [[t["alert.kind"], kind]];
        if (alert.PcId is { } pcId) rows.Add([t["alert.pc"], pcName is null ? pcId : $"{pcName} ({pcId})"]);
        rows.Add([t["alert.subject"], alert.Subject]);
        rows.Add([t["alert.time"], t.Time(alert.FirstSeen)]);
        rows.Add([t["alert.details"], alert.Message]);
        return MailTexts.Compose(subject, t["alert.intro"], [new MailSection(null, null, rows)], t["alert.outro"]);
    }

    [LoggerMessage(EventId = 762, Level = LogLevel.Warning, Message = "alert {AlertId}: e-mail failed (try {Attempt}); trying again in {Minutes} min: {Reason}")]
    private static partial void LogRetry(ILogger logger, long alertId, long attempt, double minutes, string reason);

    [LoggerMessage(EventId = 763, Level = LogLevel.Information, Message = "{Count} alert(s) not mailed: e-mail is not set up")]
    private static partial void LogNotSetUp(ILogger logger, int count);
}
