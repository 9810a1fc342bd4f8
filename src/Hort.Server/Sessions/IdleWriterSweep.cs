namespace Hort.Server.Sessions;

/// <summary>Once a minute, makes the uploads of idle sessions durable and frees their writers.</summary>
internal sealed partial class IdleWriterSweep(SessionWriters writers, TimeProvider time, ILogger<IdleWriterSweep> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var released = await writers.ReleaseIdleAsync(stoppingToken).ConfigureAwait(false);
            if (released > 0) LogReleased(log, released);
        }
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "flushed and released the writers of {Count} idle backup sessions")]
    private static partial void LogReleased(ILogger logger, int count);
}
