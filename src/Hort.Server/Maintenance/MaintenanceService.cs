using Hort.Core;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Hosting;

namespace Hort.Server.Maintenance;

/// <summary>
/// hortd's maintenance clock. Once a minute it follows announced deletions (acknowledging and finishing them, see
/// <see cref="MaintenanceRunner.FollowDeletionsAsync"/>) and starts each scheduled run that is due: retention daily,
/// prune weekly, verification daily. A run missed while hortd was stopped starts at the next tick after it starts.
/// </summary>
public sealed partial class MaintenanceService(MaintenanceRunner runner, ServerCatalog catalog, HortdOptions options, TimeProvider time, ILogger<MaintenanceService> log)
    : BackgroundService
{
    private readonly Dictionary<MaintenanceKind, DateTimeOffset> _next = [];
    private readonly SemaphoreSlim _ticking = new(1, 1);

    /// <summary>When each kind runs next by schedule; empty when schedules are off or before the first tick.</summary>
    public IReadOnlyList<MaintenanceNextDto> Next()
    {
        lock (_next)
        {
            return [.. Enum.GetValues<MaintenanceKind>().Select(k => new MaintenanceNextDto(k, _next.TryGetValue(k, out var at) ? at : null))];
        }
    }

    /// <summary>One tick: follows deletions, then runs what is due at the provider's current time.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        await _ticking.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                await runner.FollowDeletionsAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HortException or IOException)
            {
                // Retried at the next tick; the deletion just waits a little longer.
                LogFollowFailed(log, e.Message);
            }

            if (!options.Maintenance.Enabled) return;
            foreach (var kind in Enum.GetValues<MaintenanceKind>())
            {
                var due = await DueAsync(kind, cancellationToken).ConfigureAwait(false);
                var now = time.GetUtcNow();
                if (now < due) continue;
                await runner.RunAsync(kind, MaintenanceRunner.BySchedule, cancellationToken).ConfigureAwait(false);
                lock (_next)
                {
                    _next[kind] = MaintenanceSchedule.NextRun(kind, now, options.Maintenance, time.LocalTimeZone);
                }
            }
        }
        finally
        {
            _ticking.Release();
        }
    }

    /// <summary>When <paramref name="kind"/> is due: after its last scheduled run, or after hortd's start when it never ran.</summary>
    private async Task<DateTimeOffset> DueAsync(MaintenanceKind kind, CancellationToken ct)
    {
        lock (_next)
        {
            if (_next.TryGetValue(kind, out var known)) return known;
        }

        var last = (await catalog.ListMaintenanceRunsAsync(kind, 50, ct).ConfigureAwait(false))
            .FirstOrDefault(static r => r.Cause == MaintenanceRunner.BySchedule)?.Started;
        var next = MaintenanceSchedule.NextRun(kind, last ?? time.GetUtcNow(), options.Maintenance, time.LocalTimeZone);
        lock (_next)
        {
            _next[kind] = next;
        }

        return next;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await TickAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A run records its own failure and alert; this is the catalog or something unforeseen. Keep ticking.
                LogTickFailed(log, e);
            }
        }
    }

    [LoggerMessage(EventId = 730, Level = LogLevel.Warning, Message = "following announced deletions failed; retrying in a minute: {Message}")]
    private static partial void LogFollowFailed(ILogger logger, string message);

    [LoggerMessage(EventId = 731, Level = LogLevel.Error, Message = "a maintenance tick failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
