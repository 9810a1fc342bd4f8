using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Hort.Repository.Retention;

namespace Hort.Repository.Tests.Retention;

public sealed class RetentionPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo Utc = TimeZoneInfo.Utc;

    private static DateTimeOffset At(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private static List<DateTimeOffset> Kept(RetentionPolicy policy, IEnumerable<DateTimeOffset> times, DateTimeOffset? now = null, TimeZoneInfo? zone = null) =>
        policy.Apply(times, t => t, now ?? Now, zone ?? Utc).Where(d => d.Keep).Select(d => d.Item).ToList();

    [Fact]
    public void Keep_daily_keeps_the_newest_snapshot_of_each_of_the_last_days_that_have_one()
    {
        var times = new[]
        {
            "2026-11-30T08:00", "2026-11-30T02:00", "2026-11-29T23:00", "2026-11-29T01:00",
            "2026-11-27T10:00", "2026-11-20T10:00",
        }.Select(At).ToList();

        var kept = Kept(new RetentionPolicy { KeepDaily = 3 }, times);

        Assert.Equal(new[] { "2026-11-30T08:00", "2026-11-29T23:00", "2026-11-27T10:00" }.Select(At), kept);
    }

    [Fact]
    public void Windows_server_essentials_defaults_keep_5_daily_4_weekly_6_monthly_from_a_year_of_nightly_backups()
    {
        // One backup every night at 22:00 for a year, newest on Monday 2026-11-30.
        var times = Enumerable.Range(0, 365).Select(i => At("2026-11-30T22:00").AddDays(-i)).ToList();
        var policy = new RetentionPolicy { KeepDaily = 5, KeepWeekly = 4, KeepMonthly = 6 };

        var decisions = policy.Apply(times, t => t, At("2026-12-01T00:00"), Utc);
        var kept = decisions.Where(d => d.Keep).ToDictionary(d => d.Item, d => d.KeptBy);

        // Days: 30, 29, 28, 27, 26 Nov. Weeks (Sundays end them): the 30th opens a new week, then Sundays 29, 22, 15 Nov.
        // Months: the newest of Nov, Oct, Sep, Aug, Jul, Jun.
        var expected = new Dictionary<string, RetentionRule[]>
        {
            ["2026-11-30T22:00"] = [RetentionRule.Daily, RetentionRule.Weekly, RetentionRule.Monthly],
            ["2026-11-29T22:00"] = [RetentionRule.Daily, RetentionRule.Weekly],
            ["2026-11-28T22:00"] = [RetentionRule.Daily],
            ["2026-11-27T22:00"] = [RetentionRule.Daily],
            ["2026-11-26T22:00"] = [RetentionRule.Daily],
            ["2026-11-22T22:00"] = [RetentionRule.Weekly],
            ["2026-11-15T22:00"] = [RetentionRule.Weekly],
            ["2026-10-31T22:00"] = [RetentionRule.Monthly],
            ["2026-09-30T22:00"] = [RetentionRule.Monthly],
            ["2026-08-31T22:00"] = [RetentionRule.Monthly],
            ["2026-07-31T22:00"] = [RetentionRule.Monthly],
            ["2026-06-30T22:00"] = [RetentionRule.Monthly],
        };
        Assert.Equal(expected.Keys.Select(At).Order(), kept.Keys.Order());
        foreach (var (time, rules) in expected)
        {
            Assert.Equal(rules, kept[At(time)]);
        }

        Assert.Equal(365 - 12, decisions.Count(d => !d.Keep));
    }

    [Fact]
    public void Keep_within_keeps_everything_younger_than_the_duration_measured_from_now()
    {
        var times = new[] { "2026-11-30T11:00", "2026-11-23T12:30", "2026-11-23T11:30", "2026-01-01T00:00" }.Select(At);

        var kept = Kept(new RetentionPolicy { KeepWithin = TimeSpan.FromDays(7) }, times);

        Assert.Equal(new[] { "2026-11-30T11:00", "2026-11-23T12:30" }.Select(At), kept);
    }

    [Fact]
    public void Calendar_days_begin_at_midnight_in_the_given_time_zone()
    {
        // 23:30 and 00:30 UTC are two UTC days but one day in UTC-3.
        var times = new[] { At("2026-11-30T00:30"), At("2026-11-29T23:30") };
        var minus3 = TimeZoneInfo.CreateCustomTimeZone("minus3", TimeSpan.FromHours(-3), "minus3", "minus3");

        Assert.Equal(2, Kept(new RetentionPolicy { KeepDaily = 5 }, times, zone: Utc).Count);
        Assert.Single(Kept(new RetentionPolicy { KeepDaily = 5 }, times, zone: minus3));
    }

    [Fact]
    public void Weeks_follow_iso_8601_across_the_turn_of_the_year()
    {
        // 2026-12-31 (Thursday) and 2027-01-03 (Sunday) are both in ISO week 2026-W53.
        var times = new[] { At("2027-01-03T10:00"), At("2026-12-31T10:00"), At("2026-12-27T10:00") };

        var kept = Kept(new RetentionPolicy { KeepWeekly = 5 }, times, now: At("2027-01-04T00:00"));

        Assert.Equal(new[] { At("2027-01-03T10:00"), At("2026-12-27T10:00") }, kept);
    }

    [Fact]
    public void A_policy_without_rules_is_empty_and_negative_counts_are_refused()
    {
        Assert.True(new RetentionPolicy().IsEmpty);
        Assert.False(new RetentionPolicy { KeepWithin = TimeSpan.Zero }.IsEmpty);
        Assert.Throws<ArgumentException>(() => new RetentionPolicy { KeepDaily = -1 }.Apply([Now], t => t, Now, Utc));
    }

    [Theory]
    [InlineData("7d", 7 * 24)]
    [InlineData("36h", 36)]
    [InlineData("2w", 14 * 24)]
    [InlineData("1y6m", (365 + 180) * 24)]
    public void Durations_parse(string text, int hours)
    {
        Assert.True(RetentionDuration.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromHours(hours), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("d")]
    [InlineData("7x")]
    [InlineData("-1d")]
    [InlineData("99999999999999d")]
    public void Malformed_durations_are_refused(string text) => Assert.False(RetentionDuration.TryParse(text, out _));

    // ---- properties ----

    private static readonly Gen<DateTimeOffset> Times =
        Gen.Choose(0, 3 * 365 * 24 * 4).Select(quarterHours => Now.AddMinutes(-15L * quarterHours));

    private static readonly Gen<RetentionPolicy> Policies =
        from last in Gen.Choose(0, 4)
        from hourly in Gen.Choose(0, 6)
        from daily in Gen.Choose(0, 8)
        from weekly in Gen.Choose(0, 5)
        from monthly in Gen.Choose(0, 13)
        from yearly in Gen.Choose(0, 3)
        from within in Gen.Frequency((3, Gen.Constant<TimeSpan?>(null)), (1, Gen.Choose(0, 60).Select(d => (TimeSpan?)TimeSpan.FromDays(d))))
        select new RetentionPolicy
        {
            KeepLast = last, KeepHourly = hourly, KeepDaily = daily, KeepWeekly = weekly, KeepMonthly = monthly,
            KeepYearly = yearly, KeepWithin = within,
        };

    private static readonly Gen<(RetentionPolicy Policy, DateTimeOffset[] Times)> Cases =
        from policy in Policies
        from times in Times.ArrayOf()
        select (policy, times.Distinct().ToArray());

    private static void ForAll(Action<RetentionPolicy, DateTimeOffset[]> property) =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Cases.ToArbitrary(), c => property(c.Policy, c.Times)));

    [Fact]
    public void Every_item_gets_exactly_one_decision_newest_first()
    {
        ForAll((policy, times) =>
        {
            var decisions = policy.Apply(times, t => t, Now, Utc);
            Assert.Equal(times.OrderDescending(), decisions.Select(d => d.Item));
        });
    }

    [Fact]
    public void Keep_last_keeps_exactly_the_newest_n()
    {
        ForAll((policy, times) =>
        {
            var n = policy.KeepLast;
            var byLast = policy.Apply(times, t => t, Now, Utc).Where(d => d.KeptBy.Contains(RetentionRule.Last)).Select(d => d.Item);
            Assert.Equal(times.OrderDescending().Take(n), byLast);
        });
    }

    [Fact]
    public void Each_calendar_rule_keeps_the_newest_item_of_its_n_most_recent_periods()
    {
        ForAll((policy, times) =>
        {
            var decisions = policy.Apply(times, t => t, Now, Utc);
            Verify(RetentionRule.Daily, policy.KeepDaily, t => t.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
            Verify(RetentionRule.Hourly, policy.KeepHourly, t => t.ToString("yyyyMMddHH", CultureInfo.InvariantCulture));
            Verify(RetentionRule.Weekly, policy.KeepWeekly, t => $"{ISOWeek.GetYear(t.UtcDateTime)}-{ISOWeek.GetWeekOfYear(t.UtcDateTime)}");
            Verify(RetentionRule.Monthly, policy.KeepMonthly, t => t.ToString("yyyyMM", CultureInfo.InvariantCulture));
            Verify(RetentionRule.Yearly, policy.KeepYearly, t => t.ToString("yyyy", CultureInfo.InvariantCulture));

            void Verify(RetentionRule rule, int n, Func<DateTimeOffset, string> period)
            {
                var expected = times.GroupBy(period).Select(g => g.Max()).OrderDescending().Take(n);
                Assert.Equal(expected, decisions.Where(d => d.KeptBy.Contains(rule)).Select(d => d.Item));
            }
        });
    }

    [Fact]
    public void Applying_the_policy_again_to_what_it_kept_keeps_all_of_it()
    {
        ForAll((policy, times) =>
        {
            var kept = Kept(policy, times);
            Assert.Equal(kept, Kept(policy, kept));
        });
    }

    [Fact]
    public void A_larger_count_never_forgets_what_a_smaller_one_kept()
    {
        ForAll((policy, times) =>
        {
            var larger = policy with { KeepDaily = policy.KeepDaily + 2, KeepMonthly = policy.KeepMonthly + 1, KeepLast = policy.KeepLast + 1 };
            Assert.Empty(Kept(policy, times).Except(Kept(larger, times)));
        });
    }

    [Fact]
    public void The_order_of_the_input_does_not_change_the_decisions()
    {
        ForAll((policy, times) =>
        {
            var shuffled = times.OrderBy(t => t.GetHashCode()).ToArray();
            Assert.Equal(Kept(policy, times), Kept(policy, shuffled));
        });
    }

    [Fact]
    public void Decisions_use_the_time_from_the_selector_not_any_time_inside_the_item()
    {
        // The server judges a snapshot by when it received it; the client's clock may say anything.
        var items = new[] { (Client: At("2030-01-01T00:00"), Received: At("2026-11-28T10:00")), (Client: At("2001-01-01T00:00"), Received: At("2026-11-30T10:00")) };

        var decisions = new RetentionPolicy { KeepLast = 1 }.Apply(items, i => i.Received, Now, Utc);

        Assert.True(decisions.Single(d => d.Keep).Item.Received == At("2026-11-30T10:00"));
    }
}
