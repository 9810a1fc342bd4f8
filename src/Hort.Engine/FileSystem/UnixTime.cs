namespace Hort.Engine.FileSystem;

/// <summary>A file time as the kernel keeps it: seconds since the Unix epoch (may be negative) plus nanoseconds 0–999,999,999.</summary>
public readonly record struct UnixTime(long Seconds, uint Nanoseconds)
{
    private const long TicksPerSecond = TimeSpan.TicksPerSecond;
    private const uint NanosecondsPerTick = 100;

    /// <summary>Rounds down to the 100 ns resolution of <see cref="DateTimeOffset"/>.</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddTicks(Seconds * TicksPerSecond + Nanoseconds / NanosecondsPerTick);

    public static UnixTime FromDateTimeOffset(DateTimeOffset time)
    {
        long ticks = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks);
        long seconds = Math.DivRem(ticks, TicksPerSecond, out long remainder);
        if (remainder < 0)
        {
            seconds--;
            remainder += TicksPerSecond;
        }
        return new UnixTime(seconds, (uint)remainder * NanosecondsPerTick);
    }
}
