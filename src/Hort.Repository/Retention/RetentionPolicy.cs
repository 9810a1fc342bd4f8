using System.Globalization;

namespace Hort.Repository.Retention;

/// <summary>A rule that can keep a snapshot; a kept snapshot lists every rule that kept it.</summary>
public enum RetentionRule
{
    /// <summary>One of the newest N snapshots (<c>--keep-last</c>).</summary>
    Last,

    /// <summary>The newest snapshot of one of the last N hours that have snapshots.</summary>
    Hourly,

    /// <summary>The newest snapshot of one of the last N calendar days that have snapshots.</summary>
    Daily,

    /// <summary>The newest snapshot of one of the last N ISO 8601 weeks (Monday to Sunday) that have snapshots.</summary>
    Weekly,

    /// <summary>The newest snapshot of one of the last N calendar months that have snapshots.</summary>
    Monthly,

    /// <summary>The newest snapshot of one of the last N calendar years that have snapshots.</summary>
    Yearly,

    /// <summary>Younger than the <c>--keep-within</c> duration.</summary>
    Within,
}

/// <summary>What a policy decided for one item, and which rules kept it (empty when it is forgotten).</summary>
public sealed record RetentionDecision<T>(T Item, DateTimeOffset Time, IReadOnlyList<RetentionRule> KeptBy)
{
    public bool Keep => KeptBy.Count > 0;
}

/// <summary>
/// Which snapshots to keep: the newest of each of the last N hours, days, weeks, months and years that have snapshots,
/// the last N snapshots, and all younger than a duration; everything no rule keeps is forgotten. Calendar periods are
/// taken in a given time zone. Pure: the caller passes the time of each item and the current time.
/// </summary>
public sealed record RetentionPolicy
{
    public int KeepLast { get; init; }

    public int KeepHourly { get; init; }

    public int KeepDaily { get; init; }

    public int KeepWeekly { get; init; }

    public int KeepMonthly { get; init; }

    public int KeepYearly { get; init; }

    /// <summary>Keep every item younger than this, measured back from the current time.</summary>
    public TimeSpan? KeepWithin { get; init; }

    /// <summary>True when no rule is set: such a policy would forget everything, so callers refuse it.</summary>
    public bool IsEmpty => KeepLast == 0 && KeepHourly == 0 && KeepDaily == 0 && KeepWeekly == 0 && KeepMonthly == 0
                           && KeepYearly == 0 && KeepWithin is null;

    /// <summary>Throws <see cref="ArgumentException"/> when a count or the duration is negative.</summary>
    public void Validate()
    {
        if (KeepLast < 0 || KeepHourly < 0 || KeepDaily < 0 || KeepWeekly < 0 || KeepMonthly < 0 || KeepYearly < 0)
        {
            throw new ArgumentException("keep counts must not be negative");
        }

        if (KeepWithin < TimeSpan.Zero)
        {
            throw new ArgumentException("the keep-within duration must not be negative");
        }
    }

    /// <summary>
    /// Decides for every item. <paramref name="timeOf"/> gives the time an item is judged by (the server passes the
    /// time it received a snapshot, not the client's clock); <paramref name="now"/> anchors <see cref="KeepWithin"/>;
    /// <paramref name="zone"/> sets where hours, days, weeks, months and years begin. Items with equal times keep their
    /// given order; the result is newest first.
    /// </summary>
    public IReadOnlyList<RetentionDecision<T>> Apply<T>(
        IEnumerable<T> items, Func<T, DateTimeOffset> timeOf, DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(timeOf);
        ArgumentNullException.ThrowIfNull(zone);
        Validate();

        var ordered = items.Select((item, position) => (Item: item, Time: timeOf(item), Position: position))
            .OrderByDescending(static x => x.Time)
            .ThenBy(static x => x.Position)
            .ToList();

        var buckets = new (RetentionRule Rule, int Count, Func<DateTime, long> Period)[]
        {
            (RetentionRule.Hourly, KeepHourly, static t => (((((long)t.Year * 100) + t.Month) * 100) + t.Day) * 100 + t.Hour),
            (RetentionRule.Daily, KeepDaily, static t => (((long)t.Year * 100) + t.Month) * 100 + t.Day),
            (RetentionRule.Weekly, KeepWeekly, static t => ((long)ISOWeek.GetYear(t) * 100) + ISOWeek.GetWeekOfYear(t)),
            (RetentionRule.Monthly, KeepMonthly, static t => ((long)t.Year * 100) + t.Month),
            (RetentionRule.Yearly, KeepYearly, static t => t.Year),
        };
        var remaining = buckets.Select(static b => b.Count).ToArray();
        var lastPeriod = new long?[buckets.Length];
        var lastLeft = KeepLast;

        var decisions = new List<RetentionDecision<T>>(ordered.Count);
        foreach (var (item, time, _) in ordered)
        {
            var reasons = new List<RetentionRule>();
            if (lastLeft > 0)
            {
                lastLeft--;
                reasons.Add(RetentionRule.Last);
            }

            var local = TimeZoneInfo.ConvertTime(time, zone).DateTime;
            for (var i = 0; i < buckets.Length; i++)
            {
                if (remaining[i] == 0)
                {
                    continue;
                }

                var period = buckets[i].Period(local);
                if (lastPeriod[i] != period)
                {
                    lastPeriod[i] = period;
                    remaining[i]--;
                    reasons.Add(buckets[i].Rule);
                }
            }

            if (KeepWithin is { } within && time > now - within)
            {
                reasons.Add(RetentionRule.Within);
            }

            decisions.Add(new RetentionDecision<T>(item, time, reasons));
        }

        return decisions;
    }

    /// <summary>The policy as command-line options, e.g. "--keep-daily 7 --keep-weekly 4".</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        void Add(string name, int n)
        {
            if (n > 0) parts.Add($"--keep-{name} {n}");
        }

        Add("last", KeepLast);
        Add("hourly", KeepHourly);
        Add("daily", KeepDaily);
        Add("weekly", KeepWeekly);
        Add("monthly", KeepMonthly);
        Add("yearly", KeepYearly);
        if (KeepWithin is { } w) parts.Add($"--keep-within {RetentionDuration.Format(w)}");
        return parts.Count == 0 ? "(no rules)" : string.Join(' ', parts);
    }
}
