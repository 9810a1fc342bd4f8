using Hort.Protocol;

namespace Hort.Server.Maintenance;

/// <summary>When scheduled maintenance is due: pure functions of a time, the options and the time zone.</summary>
public static class MaintenanceSchedule
{
    /// <summary>The first instant after <paramref name="after"/> whose local time of day is <paramref name="at"/>.</summary>
    public static DateTimeOffset NextDaily(DateTimeOffset after, TimeOnly at, TimeZoneInfo zone) =>
        Next(after, at, zone, static _ => true);

    /// <summary>The first instant after <paramref name="after"/> that is <paramref name="day"/> at <paramref name="at"/> local time.</summary>
    public static DateTimeOffset NextWeekly(DateTimeOffset after, DayOfWeek day, TimeOnly at, TimeZoneInfo zone) =>
        Next(after, at, zone, d => d.DayOfWeek == day);

    /// <summary>When <paramref name="kind"/> is due next after <paramref name="after"/>.</summary>
    public static DateTimeOffset NextRun(MaintenanceKind kind, DateTimeOffset after, MaintenanceOptions options, TimeZoneInfo zone) => kind switch
    {
        MaintenanceKind.Retention => NextDaily(after, options.RetentionTime, zone),
        MaintenanceKind.Prune => NextWeekly(after, options.PruneDay, options.PruneTime, zone),
        MaintenanceKind.Verify => NextDaily(after, options.VerifyTime, zone),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static DateTimeOffset Next(DateTimeOffset after, TimeOnly at, TimeZoneInfo zone, Func<DateOnly, bool> dayFits)
    {
        var local = TimeZoneInfo.ConvertTime(after, zone);
        var day = DateOnly.FromDateTime(local.DateTime);
        for (var i = 0; i < 9; i++, day = day.AddDays(1))
        {
            if (!dayFits(day)) continue;
            var wall = day.ToDateTime(at);
            if (zone.IsInvalidTime(wall))
            {
                wall = wall.AddHours(1); // the clock skipped this time (summer time began): run an hour later
            }

            var candidate = new DateTimeOffset(wall, zone.GetUtcOffset(wall));
            if (candidate > after) return candidate;
        }

        throw new InvalidOperationException("no day within nine days fits the schedule");
    }
}
