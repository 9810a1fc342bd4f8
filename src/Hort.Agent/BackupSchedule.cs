using Hort.Protocol;

namespace Hort.Agent;

/// <summary>
/// When the policy wants a backup (protocol.md §5–6): once per window. The window opens every day at its start in the
/// PC's local time; a backup is due when none succeeded since the latest opening — inside the window, or as soon as
/// the PC is back if it was off through it (catch-up). A failed attempt is retried after <see cref="RetryAfterFailure"/>.
/// </summary>
public static class BackupSchedule
{
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(15);

    /// <summary>The latest opening of the window at or before <paramref name="now"/>, in <paramref name="zone"/>.</summary>
    public static DateTimeOffset LatestOpening(BackupWindow window, DateTimeOffset now, TimeZoneInfo zone) => window.LatestOpening(now, zone);

    /// <summary>True when a backup should start now.</summary>
    public static bool IsDue(BackupWindow window, DateTimeOffset now, TimeZoneInfo zone, DateTimeOffset? lastSuccess, DateTimeOffset? lastFailure)
    {
        if (lastFailure is { } failed && now - failed < RetryAfterFailure) return false;
        return lastSuccess is not { } success || success < LatestOpening(window, now, zone);
    }
}
