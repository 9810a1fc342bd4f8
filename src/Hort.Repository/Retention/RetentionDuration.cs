using System.Globalization;

namespace Hort.Repository.Retention;

/// <summary>Durations as users write them: a sequence of numbers with units y, m (months), w, d, h, e.g. "1y6m", "7d", "36h".</summary>
public static class RetentionDuration
{
    /// <summary>Parses a duration; a year counts 365 days and a month 30 days. Returns false on anything else.</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == start || i == text.Length
                || !int.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            TimeSpan unit;
            switch (text[i])
            {
                case 'y': unit = TimeSpan.FromDays(365); break;
                case 'm': unit = TimeSpan.FromDays(30); break;
                case 'w': unit = TimeSpan.FromDays(7); break;
                case 'd': unit = TimeSpan.FromDays(1); break;
                case 'h': unit = TimeSpan.FromHours(1); break;
                default: return false;
            }

            i++;
            try
            {
                total = checked(total + (unit * n));
            }
            catch (OverflowException)
            {
                return false;
            }
        }

        duration = total;
        return true;
    }

    /// <summary>A short text for a duration: whole days as "Nd", else hours as "Nh", else minutes.</summary>
    public static string Format(TimeSpan duration) =>
        duration.Ticks % TimeSpan.TicksPerDay == 0 ? $"{(long)duration.TotalDays}d"
        : duration.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)duration.TotalHours}h"
        : $"{(long)duration.TotalMinutes}min";
}
