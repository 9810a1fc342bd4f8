using Hort.Server.Hosting;

namespace Hort.Server.Jobs;

/// <summary>How many PCs may back up at once, and when an idle backup gives its place up.</summary>
public sealed class JobOptions
{
    /// <summary>Backup sessions that may upload at the same time, over all PCs; further backups wait.</summary>
    public int MaxConcurrentBackups { get; set; } = 4;

    /// <summary>
    /// A backup whose session has sent nothing for this long loses its slot (its agent was stopped, killed or cut
    /// off); the session stays open and takes a slot again with its next request when one is free.
    /// </summary>
    public int BackupSlotIdleSeconds { get; set; } = 600;

    /// <summary>Every problem with these settings, as sentences.</summary>
    public IEnumerable<string> Problems()
    {
        if (MaxConcurrentBackups is < 1 or > 1000) yield return $"Jobs:MaxConcurrentBackups {MaxConcurrentBackups} is outside 1..1000";
        if (BackupSlotIdleSeconds is < 1 or > 24 * 3600) yield return $"Jobs:BackupSlotIdleSeconds {BackupSlotIdleSeconds} is outside 1..86400";
    }
}

/// <summary>All backup slots are taken; the agent retries after <see cref="RetryAfter"/> (HTTP 503 with Retry-After).</summary>
public sealed class NoBackupSlotException(int slots, TimeSpan retryAfter)
    : Exception($"all {slots} backup slots of the server are in use; the backup waits for one to free")
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The server-wide limit on backups running at once (<c>Jobs:MaxConcurrentBackups</c>). A PC holds a slot while its
/// backup session works: taken when the session opens or sends anything, released when it commits, is abandoned or
/// cancelled, and lost after <c>Jobs:BackupSlotIdleSeconds</c> without a request, so a killed agent cannot keep one.
/// Slots live in memory only: after a restart every open session takes one again with its next request.
/// </summary>
public sealed class BackupSlots(HortdOptions options, TimeProvider time)
{
    /// <summary>How long an agent waits before asking again for a slot.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly Dictionary<string, DateTimeOffset> _holders = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    private int Max => options.Jobs.MaxConcurrentBackups;

    private TimeSpan Idle => TimeSpan.FromSeconds(options.Jobs.BackupSlotIdleSeconds);

    /// <summary>Takes or refreshes the PC's slot; throws <see cref="NoBackupSlotException"/> when none is free.</summary>
    public void Hold(string pcId)
    {
        if (!TryHold(pcId)) throw new NoBackupSlotException(Max, RetryAfter);
    }

    /// <summary>Takes or refreshes the PC's slot; false when every slot is held by another PC's active backup.</summary>
    public bool TryHold(string pcId)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_holders.ContainsKey(pcId))
            {
                foreach (var idle in _holders.Where(h => now - h.Value > Idle).Select(h => h.Key).ToList()) _holders.Remove(idle);
                if (_holders.Count >= Max) return false;
            }

            _holders[pcId] = now;
            return true;
        }
    }

    /// <summary>Frees the PC's slot (commit, abandon, cancel).</summary>
    public void Release(string pcId)
    {
        lock (_lock) _holders.Remove(pcId);
    }

    /// <summary>Slots held now by backups that are not idle, for status and tests.</summary>
    public int InUse
    {
        get
        {
            var now = time.GetUtcNow();
            lock (_lock) return _holders.Count(h => now - h.Value <= Idle);
        }
    }
}
