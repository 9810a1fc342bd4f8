namespace Hort.Repository.Retention;

/// <summary>One request to set the history lock: at <see cref="Requested"/>, lock <see cref="Days"/> days (0 = off).</summary>
public sealed record HistoryLockRecord(int Days, DateTimeOffset Requested, string Hostname, string Username);

/// <summary>
/// The history lock as it stands at one moment: the days in force, the days last requested, and when a requested
/// lowering takes effect.
/// </summary>
public sealed record HistoryLockState(int EffectiveDays, int RequestedDays, DateTimeOffset? LowersAt, IReadOnlyList<HistoryLockRecord> Records)
{
    /// <summary>True when a snapshot of this time may not be forgotten at <paramref name="now"/>.</summary>
    public bool Protects(DateTimeOffset snapshotTime, DateTimeOffset now) =>
        EffectiveDays > 0 && snapshotTime > now - TimeSpan.FromDays(EffectiveDays);
}

/// <summary>
/// Evaluates history-lock records. Every request is kept for good. A request stays in force until the request after
/// it was made plus its own number of days, so raising the lock takes effect at once, while lowering or removing it
/// takes effect only after the period that was locked when the change was asked for has passed. Someone who learns
/// the password therefore cannot switch the lock off and delete young history in the same hour.
/// </summary>
public static class HistoryLock
{
    /// <summary>The most days a lock may be set to (about 27 years).</summary>
    public const int MaxDays = 10_000;

    public static HistoryLockState Evaluate(IEnumerable<HistoryLockRecord> records, DateTimeOffset now)
    {
        // Equal times: the larger lock counts as the later request, so a tie never lowers anything early.
        var ordered = records.OrderBy(static r => r.Requested).ThenBy(static r => r.Days).ToList();
        if (ordered.Count == 0)
        {
            return new HistoryLockState(0, 0, null, ordered);
        }

        var latest = ordered[^1];
        var effective = latest.Days;
        DateTimeOffset? lowersAt = null;
        for (var i = 0; i < ordered.Count - 1; i++)
        {
            var until = ordered[i + 1].Requested + TimeSpan.FromDays(Math.Clamp(ordered[i].Days, 0, MaxDays));
            if (now < until && ordered[i].Days > latest.Days)
            {
                effective = Math.Max(effective, ordered[i].Days);
                lowersAt = lowersAt is null || until > lowersAt ? until : lowersAt;
            }
        }

        return new HistoryLockState(Math.Clamp(effective, 0, MaxDays), latest.Days, lowersAt, ordered);
    }
}
