using Hort.Protocol;

namespace Hort.Server.Dashboard.Health;

/// <summary>How a PC's backups stand, at one glance: green, amber or red (always shown with a word, never colour alone).</summary>
public enum PcState
{
    Green,
    Amber,
    Red,
}

/// <summary>Why a PC has its state; each reason has a sentence in overview.tsv (<c>state.reason.*</c>).</summary>
public enum PcStateReason
{
    /// <summary>The last backup succeeded less than a day ago.</summary>
    Recent,

    /// <summary>The last successful backup is more than a day old, but less than the red limit.</summary>
    OlderThanADay,

    /// <summary>The last backup succeeded but could not read some files.</summary>
    Partial,

    /// <summary>Enrolled less than the red limit ago and not backed up yet.</summary>
    NotYetBackedUp,

    /// <summary>No successful backup for at least the red limit of days (or never, that long after enrolment).</summary>
    NoBackupForDays,

    /// <summary>The newest backup job failed after the last success.</summary>
    LastJobFailed,

    /// <summary>The PC's credential was revoked; it can no longer back up.</summary>
    Revoked,
}

/// <summary>The newest backup job of a PC that ended as succeeded or failed; <see cref="Partial"/> when it could not read some files.</summary>
public sealed record EndedBackup(string JobId, string State, DateTimeOffset Finished, bool Partial);

/// <summary>A PC's state and the reason for it.</summary>
public readonly record struct PcVerdict(PcState State, PcStateReason Reason);

/// <summary>
/// The rule behind the overview's colours (docs/dashboard.md "Overview and states"), checked in this order:
/// red when the PC is revoked, when its newest backup job failed after its last successful backup, or when it has had no
/// successful backup for <c>redDays</c> days (counted from enrolment when it never had one); amber when it has never been
/// backed up but was enrolled less than <c>redDays</c> days ago, when its last successful backup is more than 24 hours
/// old, or when that backup could not read some files; green otherwise.
/// </summary>
public static class PcStates
{
    public static PcVerdict Judge(DateTimeOffset now, int redDays, DateTimeOffset enrolled, bool revoked, DateTimeOffset? lastSuccess, EndedBackup? lastJob)
    {
        if (revoked) return new(PcState.Red, PcStateReason.Revoked);
        if (lastJob is { State: JobValues.Failed } failed && (lastSuccess is not { } s || failed.Finished >= s))
        {
            return new(PcState.Red, PcStateReason.LastJobFailed);
        }

        var limit = TimeSpan.FromDays(redDays);
        if (lastSuccess is not { } success)
        {
            return now - enrolled >= limit ? new(PcState.Red, PcStateReason.NoBackupForDays) : new(PcState.Amber, PcStateReason.NotYetBackedUp);
        }

        var age = now - success;
        if (age >= limit) return new(PcState.Red, PcStateReason.NoBackupForDays);
        if (age > TimeSpan.FromDays(1)) return new(PcState.Amber, PcStateReason.OlderThanADay);
        if (lastJob is { State: JobValues.Succeeded, Partial: true }) return new(PcState.Amber, PcStateReason.Partial);
        return new(PcState.Green, PcStateReason.Recent);
    }

    /// <summary>Whole days since <paramref name="then"/> (0 for less than 24 hours).</summary>
    public static int DaysSince(DateTimeOffset now, DateTimeOffset then) => Math.Max(0, (int)Math.Floor((now - then).TotalDays));

    /// <summary>
    /// When the PC's next backup is due, worked out on the server like the agent does (BackupSchedule): once per daily
    /// window opening; when no backup succeeded since the latest opening it is due now (the agent starts it as soon as the
    /// PC is on), else at the next opening. Null for a revoked PC.
    /// </summary>
    public static DateTimeOffset? NextRun(BackupWindow window, DateTimeOffset now, TimeZoneInfo zone, DateTimeOffset? lastSuccess, bool revoked)
    {
        if (revoked) return null;
        if (lastSuccess is not { } success || success < window.LatestOpening(now, zone)) return now;
        return window.NextOpening(now, zone);
    }
}
