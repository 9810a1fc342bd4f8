using System.Globalization;
using System.Text;

namespace Hort.Server.Dashboard.Health;

/// <summary>One value of a series at one time (e.g. the repository's bytes on a day).</summary>
public readonly record struct ChartPoint(DateTimeOffset Time, long Value);

/// <summary>A label on an axis at a position in the chart's coordinates.</summary>
public readonly record struct ChartTick(double At, long Value, DateTimeOffset Time);

/// <summary>An area chart laid out in SVG coordinates (viewBox 0 0 <see cref="Width"/> <see cref="Height"/>), drawn server-side without script.</summary>
public sealed record ChartLayout(double Width, double Height, double Left, double Right, double Top, double Bottom, string Line, string Area,
    IReadOnlyList<ChartTick> ValueTicks, IReadOnlyList<ChartTick> TimeTicks);

/// <summary>Lays out a time series as a line over a filled area, from zero to a rounded maximum, with value and date ticks.</summary>
public static class GrowthChart
{
    public const double Width = 720;
    public const double Height = 260;
    private const double Left = 80, Right = 12, Top = 12, Bottom = 28;

    /// <summary>The layout, or null when fewer than two points make no line.</summary>
    public static ChartLayout? Layout(IReadOnlyList<ChartPoint> points)
    {
        if (points.Count < 2) return null;
        var sorted = points.OrderBy(p => p.Time).ToList();
        var start = sorted[0].Time;
        var span = Math.Max(1, (sorted[^1].Time - start).TotalSeconds);
        var top = NiceCeiling(Math.Max(1, sorted.Max(p => p.Value)));
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        double X(DateTimeOffset t) => Left + (t - start).TotalSeconds / span * plotWidth;
        double Y(long v) => Top + plotHeight - (double)v / top * plotHeight;

        var line = new StringBuilder();
        foreach (var p in sorted) line.Append(line.Length == 0 ? "M" : " L").Append(N(X(p.Time))).Append(',').Append(N(Y(p.Value)));
        var bottom = N(Top + plotHeight);
        var area = $"{line} L{N(X(sorted[^1].Time))},{bottom} L{N(Left)},{bottom} Z";
        var values = Enumerable.Range(0, 5).Select(i => top / 4 * i).Select(v => new ChartTick(Y(v), v, default)).ToList();
        var times = new List<ChartTick> { new(X(start), 0, start), new(X(sorted[^1].Time), 0, sorted[^1].Time) };
        if (sorted.Count > 2)
        {
            var middle = start + (sorted[^1].Time - start) / 2;
            times.Insert(1, new ChartTick(X(middle), 0, middle));
        }

        return new ChartLayout(Width, Height, Left, Width - Right, Top, Top + plotHeight, line.ToString(), area, values, times);
    }

    /// <summary>The smallest of 1, 2, 2.5 or 5 times a power of ten (times 4, for four even steps) at or above <paramref name="value"/>.</summary>
    public static long NiceCeiling(long value)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1.0, 2.0, 2.5, 4.0, 5.0, 8.0, 10.0 })
        {
            var candidate = (long)Math.Ceiling(step * magnitude);
            if (candidate >= value && candidate % 4 == 0) return candidate;
        }

        return (long)Math.Ceiling(10 * magnitude / 4) * 4;
    }

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
}
