using Hort.Protocol;
using Hort.Server.Dashboard.Health;

namespace Hort.Server.Tests.Dashboard;

/// <summary>The storage chart's layout and the PC page's day strip, without HTML.</summary>
public sealed class ChartAndTimelineTests
{
    private static readonly DateTimeOffset Day = new(2026, 11, 20, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_chart_runs_from_zero_to_a_round_top_left_to_right_in_time_order()
    {
        Assert.Null(GrowthChart.Layout([new ChartPoint(Day, 5)]));
        var chart = GrowthChart.Layout([new ChartPoint(Day.AddDays(2), 900), new ChartPoint(Day, 100), new ChartPoint(Day.AddDays(1), 500)])!;
        Assert.Equal(1000, chart.ValueTicks[^1].Value);
        Assert.Equal(0, chart.ValueTicks[0].Value);
        Assert.Equal(chart.Bottom, chart.ValueTicks[0].At);
        Assert.Equal(chart.Top, chart.ValueTicks[^1].At);
        // Oldest point at the left edge, newest at the right, 900 of 1000 near the top.
        var points = chart.Line.Split(' ').Select(p => p.TrimStart('M', 'L').Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.Equal(chart.Left, points[0][0]);
        Assert.Equal(chart.Right, points[2][0]);
        Assert.Equal(chart.Bottom - 0.9 * (chart.Bottom - chart.Top), points[2][1], 0.1);
        Assert.EndsWith("Z", chart.Area, StringComparison.Ordinal);
        Assert.Equal([Day, Day.AddDays(1), Day.AddDays(2)], chart.TimeTicks.Select(t => t.Time));
        Assert.Equal(4, GrowthChart.NiceCeiling(3));
        Assert.Equal(2000, GrowthChart.NiceCeiling(1500));
        Assert.Equal(8, GrowthChart.NiceCeiling(7));
    }

    [Fact]
    public void Days_with_a_snapshot_are_green_days_with_only_failures_red_the_rest_grey()
    {
        var snapshot = new SnapshotDto("s", "pc", Day.AddDays(-1), "h", ["/"], "t", 1, 1);
        JobDto Job(string state, DateTimeOffset finished) => new("j", "pc", JobValues.Backup, state, finished, finished, finished, null, null);
        var strip = SnapshotTimeline.Build([snapshot], [Job(JobValues.Failed, Day.AddDays(-1)), Job(JobValues.Failed, Day), Job(JobValues.Cancelled, Day.AddDays(-2))],
            Day, TimeZoneInfo.Utc, 30);
        Assert.Equal(30, strip.Count);
        Assert.Equal(DateOnly.FromDateTime(Day.UtcDateTime), strip[^1].Day);
        Assert.Equal(new TimelineDay(strip[^1].Day, DayState.Failed, 0, 1), strip[^1]);
        Assert.Equal(new TimelineDay(strip[^2].Day, DayState.Snapshot, 1, 1), strip[^2]);
        Assert.Equal(DayState.None, strip[^3].State);
        // Days follow the server's zone: 03:00 UTC is still the day before in New York.
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        Assert.Equal(DayState.Snapshot, SnapshotTimeline.Build([snapshot with { Time = Day }], [], Day, newYork, 2)[^1].State);
        Assert.Equal(DateOnly.FromDateTime(Day.UtcDateTime).AddDays(-1), SnapshotTimeline.Build([], [], Day, newYork, 2)[^1].Day);
    }
}
