using Hort.Repository.Retention;

namespace Hort.Repository.Tests.Retention;

public sealed class HistoryLockTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static HistoryLockRecord Set(int days, double atDay) => new(days, T0.AddDays(atDay), "host", "admin");

    private static int DaysAt(double day, params HistoryLockRecord[] records) =>
        HistoryLock.Evaluate(records, T0.AddDays(day)).EffectiveDays;

    [Fact]
    public void No_record_means_no_lock() => Assert.Equal(0, DaysAt(0));

    [Fact]
    public void Raising_takes_effect_at_once()
    {
        Assert.Equal(90, DaysAt(10.001, Set(30, 0), Set(90, 10)));
    }

    [Fact]
    public void Lowering_waits_for_the_period_that_was_locked_when_it_was_asked_for()
    {
        var records = new[] { Set(30, 0), Set(0, 100) };

        Assert.Equal(30, DaysAt(100, records));
        Assert.Equal(30, DaysAt(129.9, records));
        Assert.Equal(0, DaysAt(130, records));
        var state = HistoryLock.Evaluate(records, T0.AddDays(110));
        Assert.Equal(0, state.RequestedDays);
        Assert.Equal(T0.AddDays(130), state.LowersAt);
    }

    [Fact]
    public void Lowering_again_and_again_does_not_shorten_the_wait()
    {
        var records = new[] { Set(60, 0), Set(30, 10), Set(0, 11) };

        Assert.Equal(60, DaysAt(69, records));
        Assert.Equal(0, DaysAt(70.5, records));
    }

    [Fact]
    public void A_request_dated_before_the_lock_in_force_changes_nothing()
    {
        // A back-dated "off" sorts before the real request, which therefore stays the latest.
        Assert.Equal(30, DaysAt(500, Set(30, 100), Set(0, 50)));
    }

    [Fact]
    public void Equal_times_never_lower_early()
    {
        Assert.Equal(30, DaysAt(5, Set(30, 0), Set(0, 0)));
    }

    [Fact]
    public void A_snapshot_is_protected_while_younger_than_the_lock()
    {
        var state = HistoryLock.Evaluate([Set(7, 0)], T0.AddDays(1));
        var now = T0.AddDays(20);

        Assert.True(state.Protects(now.AddDays(-6.9), now));
        Assert.False(state.Protects(now.AddDays(-7.1), now));
        Assert.False(HistoryLock.Evaluate([], now).Protects(now, now));
    }
}
