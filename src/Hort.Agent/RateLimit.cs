namespace Hort.Agent;

/// <summary>
/// Keeps the agent's uploads below a number of bytes per second on average (<c>hort agent run --limit-upload</c>),
/// so a backup leaves room on a slow office line. Zero means no limit.
/// </summary>
public sealed class RateLimit(long bytesPerSecond, TimeProvider time)
{
    private readonly long _start = time.GetTimestamp();
    private long _bytes;

    public static RateLimit None { get; } = new(0, TimeProvider.System);

    public long BytesPerSecond => bytesPerSecond;

    /// <summary>Counts <paramref name="bytes"/> about to be sent and waits until sending them keeps to the limit.</summary>
    public async Task WaitAsync(long bytes, CancellationToken ct)
    {
        if (bytesPerSecond <= 0) return;
        var total = Interlocked.Add(ref _bytes, bytes) - bytes;
        var due = TimeSpan.FromSeconds((double)total / bytesPerSecond) - time.GetElapsedTime(_start);
        if (due > TimeSpan.Zero) await Task.Delay(due, time, ct).ConfigureAwait(false);
    }
}
