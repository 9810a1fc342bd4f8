using System.Collections.Concurrent;

namespace Hort.Server.Api;

/// <summary>
/// Wakes an agent's waiting long poll (protocol.md §5) when a command is queued for its PC in this process, so a poll
/// does not read the catalog over and over. A waiter takes the PC's signal before it reads the catalog, so a command
/// queued in between still wakes it. Commands queued by another hortd sharing the catalog are seen at the slow re-read.
/// </summary>
public sealed class CommandSignals(TimeProvider time)
{
    /// <summary>How often a waiting poll reads the catalog even without a signal.</summary>
    public static readonly TimeSpan SafetyReread = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _policyChanges = new(StringComparer.Ordinal);
    private int _waiting;

    /// <summary>The PC's current signal: completes at the next <see cref="Pulse"/> for it. Take it before reading the catalog.</summary>
    public Task Current(string pcId) =>
        _signals.GetOrAdd(pcId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Something was queued for the PC: wakes every poll waiting for it.</summary>
    public void Pulse(string pcId)
    {
        if (_signals.TryRemove(pcId, out var signal)) signal.TrySetResult();
    }

    /// <summary>
    /// The PC's effective policy may have changed: ends its waiting poll (with no commands), so the agent reads its
    /// configuration again at once instead of after the poll.
    /// </summary>
    public void PolicyChanged(string pcId)
    {
        _policyChanges.AddOrUpdate(pcId, 1, static (_, n) => n + 1);
        Pulse(pcId);
    }

    /// <summary>How often the PC's policy changed in this process; a poll ends when it differs from the count at its start.</summary>
    public long PolicyChanges(string pcId) => _policyChanges.GetValueOrDefault(pcId);

    /// <summary>Waits until <paramref name="signal"/> completes or <paramref name="timeout"/> passes (whichever is first).</summary>
    public async Task WaitAsync(Task signal, TimeSpan timeout, CancellationToken ct)
    {
        if (timeout <= TimeSpan.Zero) return;
        Interlocked.Increment(ref _waiting);
        try
        {
            await signal.WaitAsync(timeout, time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The safety re-read or the end of the poll.
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    /// <summary>How many polls wait right now, having found nothing in the catalog (for tests).</summary>
    internal int Waiting => Volatile.Read(ref _waiting);
}
