using System.Collections.Concurrent;
using System.Net;
using Hort.Server.Hosting;

namespace Hort.Server.Security;

/// <summary>
/// Counts failed logins, setup attempts and enrollments per remote address; an address that failed too often in the
/// window is refused (429) until its oldest counted failure leaves the window.
/// </summary>
public sealed class FailureThrottle(HortdOptions options, TimeProvider time)
{
    private const int MaxTrackedAddresses = 100_000;

    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    private TimeSpan Window => TimeSpan.FromMinutes(options.FailureWindowMinutes);

    /// <summary>How long the address must wait, or null when it may try.</summary>
    public TimeSpan? RetryAfter(IPAddress? address)
    {
        if (!_failures.TryGetValue(Key(address), out var queue)) return null;
        lock (queue)
        {
            Expire(queue);
            if (queue.Count < options.MaxFailedAttempts) return null;
            var wait = queue.Peek() + Window - time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1);
        }
    }

    public void RecordFailure(IPAddress? address)
    {
        if (_failures.Count > MaxTrackedAddresses)
        {
            // Bounded memory under a flood from many addresses: forget old entries wholesale.
            _failures.Clear();
        }

        var queue = _failures.GetOrAdd(Key(address), static _ => new Queue<DateTimeOffset>());
        lock (queue)
        {
            Expire(queue);
            queue.Enqueue(time.GetUtcNow());
        }
    }

    private void Expire(Queue<DateTimeOffset> queue)
    {
        var cutoff = time.GetUtcNow() - Window;
        while (queue.Count > 0 && queue.Peek() <= cutoff) queue.Dequeue();
    }

    private static string Key(IPAddress? address) =>
        address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
