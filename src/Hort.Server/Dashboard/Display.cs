using System.Globalization;

namespace Hort.Server.Dashboard;

/// <summary>Sizes, times and durations as the dashboard shows them, in the request's culture and the server's time zone.</summary>
public static class Display
{
    private static readonly string[] ByteUnits = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>Bytes in binary units: "512 B", "1.5 GiB" ("1,5 GiB" in German).</summary>
    public static string Bytes(long bytes)
    {
        double value = Math.Abs(bytes);
        var unit = 0;
        while (value >= 1024 && unit < ByteUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return (bytes < 0 ? "-" : "") + value.ToString(unit == 0 ? "0" : "0.0", CultureInfo.CurrentCulture) + " " + ByteUnits[unit];
    }

    /// <summary>A point in time in the server's zone, short date and time of the current culture.</summary>
    public static string Time(DateTimeOffset time, TimeProvider clock) =>
        TimeZoneInfo.ConvertTime(time, clock.LocalTimeZone).ToString("g", CultureInfo.CurrentCulture);

    /// <summary>A day in the current culture's short date format.</summary>
    public static string Day(DateOnly day) => day.ToString("d", CultureInfo.CurrentCulture);

    /// <summary>A duration as h:mm:ss or m:ss.</summary>
    public static string Duration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}:{t.Seconds:00}");

    /// <summary>A ratio such as "3.2×" in the current culture.</summary>
    public static string Ratio(double ratio) => ratio.ToString("0.0", CultureInfo.CurrentCulture) + "×";

    /// <summary>A whole number with the culture's group separators.</summary>
    public static string Count(long n) => n.ToString("N0", CultureInfo.CurrentCulture);
}
