using Hort.Core;

namespace Hort.Server.Notifications;

/// <summary>
/// hortd's notification clock. Alert e-mails go out as soon as an alert is raised (the raiser wakes this service) and
/// at every tick, once a minute, which also retries failed ones. Each tick further takes the day's storage sample if
/// none was taken today, checks the lasting conditions (no backup for days, storage nearly full) every
/// <see cref="ConditionInterval"/>, and sends the weekly summary when it is due. The first tick comes a minute after start.
/// </summary>
public sealed partial class NotificationService(
    AlertMailer mailer, AlertConditions conditions, StorageHistory storage, WeeklySummary summary, TimeProvider time, ILogger<NotificationService> log)
    : BackgroundService
{
    public static readonly TimeSpan TickInterval = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan ConditionInterval = TimeSpan.FromMinutes(15);

    private readonly SemaphoreSlim _ticking = new(1, 1);
    private DateTimeOffset _conditionsChecked = DateTimeOffset.MinValue;

    /// <summary>One tick at the provider's current time: storage sample, conditions (when due), alert mails, weekly summary.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        await _ticking.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await storage.SampleIfDueAsync(cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            if (now - _conditionsChecked >= ConditionInterval || now < _conditionsChecked)
            {
                await conditions.CheckAsync(cancellationToken).ConfigureAwait(false);
                _conditionsChecked = now;
            }

            await mailer.SendDueAsync(cancellationToken).ConfigureAwait(false);
            await summary.SendIfDueAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _ticking.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Ticks follow elapsed time (monotonic), not the wall clock, so a clock set by hand or a test does not skip ahead.
        var lastTick = time.GetTimestamp();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = TickInterval - time.GetElapsedTime(lastTick);
            await mailer.WaitForWakeAsync(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stoppingToken).ConfigureAwait(false);
            try
            {
                if (time.GetElapsedTime(lastTick) >= TickInterval)
                {
                    lastTick = time.GetTimestamp();
                    await TickAsync(stoppingToken).ConfigureAwait(false);
                }
                else
                {
                    await mailer.SendDueAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Mail failures are handled where they happen; this is the catalog or something unforeseen. Keep ticking.
                LogTickFailed(log, e is HortException ? null : e, e.Message);
            }
        }
    }

    [LoggerMessage(EventId = 765, Level = LogLevel.Error, Message = "a notification tick failed: {Message}")]
    private static partial void LogTickFailed(ILogger logger, Exception? exception, string message);
}
