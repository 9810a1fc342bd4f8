using Hort.Protocol;

namespace Hort.Server.Dashboard.Health;

/// <summary>What a day of a PC's history holds: a snapshot (green), only failed backups (red), or nothing (grey).</summary>
public enum DayState
{
    None,
    Snapshot,
    Failed,
}

/// <summary>One day of the timeline, in the server's time zone.</summary>
public sealed record TimelineDay(DateOnly Day, DayState State, int Snapshots, int Failures);

/// <summary>A PC's history as a strip of days, oldest first, ending today.</summary>
public static class SnapshotTimeline
{
    public static IReadOnlyList<TimelineDay> Build(IEnumerable<SnapshotDto> snapshots, IEnumerable<JobDto> jobs, DateTimeOffset now, TimeZoneInfo zone, int days)
    {
        var today = LocalDay(now, zone);
        var first = today.AddDays(1 - days);
        var counts = new Dictionary<DateOnly, (int Snapshots, int Failures)>();
        foreach (var s in snapshots)
        {
            var day = LocalDay(s.Time, zone);
            if (day >= first && day <= today) counts[day] = (counts.GetValueOrDefault(day).Snapshots + 1, counts.GetValueOrDefault(day).Failures);
        }

        foreach (var j in jobs)
        {
            if (j.Kind != JobValues.Backup || j.State != JobValues.Failed || j.Finished is not { } finished) continue;
            var day = LocalDay(finished, zone);
            if (day >= first && day <= today) counts[day] = (counts.GetValueOrDefault(day).Snapshots, counts.GetValueOrDefault(day).Failures + 1);
        }

        var strip = new List<TimelineDay>(days);
        for (var day = first; day <= today; day = day.AddDays(1))
        {
            var (n, failures) = counts.GetValueOrDefault(day);
            strip.Add(new TimelineDay(day, n > 0 ? DayState.Snapshot : failures > 0 ? DayState.Failed : DayState.None, n, failures));
        }

        return strip;
    }

    private static DateOnly LocalDay(DateTimeOffset time, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time, zone).DateTime);
}
