using Hort.Protocol;
using Hort.Server.Dashboard.Health;

namespace Hort.Server.Tests.Dashboard;

/// <summary>The overview's green/amber/red rule and the next-run computation, at their boundaries.</summary>
public sealed class PcStateRuleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LongAgo = Now.AddDays(-100);

    private static PcVerdict Judge(DateTimeOffset? lastSuccess, EndedBackup? lastJob = null, DateTimeOffset? enrolled = null, bool revoked = false) =>
        PcStates.Judge(Now, 3, enrolled ?? LongAgo, revoked, lastSuccess, lastJob);

    [Fact]
    public void Green_within_a_day_amber_after_it_red_from_the_day_limit()
    {
        Assert.Equal(new PcVerdict(PcState.Green, PcStateReason.Recent), Judge(Now.AddHours(-1)));
        Assert.Equal(PcState.Green, Judge(Now.AddDays(-1)).State);
        Assert.Equal(new PcVerdict(PcState.Amber, PcStateReason.OlderThanADay), Judge(Now.AddDays(-1).AddSeconds(-1)));
        Assert.Equal(PcState.Amber, Judge(Now.AddDays(-3).AddSeconds(1)).State);
        Assert.Equal(new PcVerdict(PcState.Red, PcStateReason.NoBackupForDays), Judge(Now.AddDays(-3)));
        Assert.Equal(PcState.Red, PcStates.Judge(Now, 7, LongAgo, false, Now.AddDays(-7), null).State);
        Assert.Equal(PcState.Amber, PcStates.Judge(Now, 7, LongAgo, false, Now.AddDays(-6), null).State);
    }

    [Fact]
    public void A_new_pc_is_amber_until_the_day_limit_after_enrolment()
    {
        Assert.Equal(new PcVerdict(PcState.Amber, PcStateReason.NotYetBackedUp), Judge(null, enrolled: Now.AddMinutes(-5)));
        Assert.Equal(PcState.Amber, Judge(null, enrolled: Now.AddDays(-3).AddSeconds(1)).State);
        Assert.Equal(new PcVerdict(PcState.Red, PcStateReason.NoBackupForDays), Judge(null, enrolled: Now.AddDays(-3)));
    }

    [Fact]
    public void A_failure_after_the_last_success_is_red_a_partial_backup_amber_a_revoked_pc_red()
    {
        var success = Now.AddHours(-5);
        Assert.Equal(new PcVerdict(PcState.Red, PcStateReason.LastJobFailed),
            Judge(success, new EndedBackup("j", JobValues.Failed, Now.AddHours(-1), false)));
        Assert.Equal(new PcVerdict(PcState.Red, PcStateReason.LastJobFailed),
            Judge(null, new EndedBackup("j", JobValues.Failed, Now.AddHours(-1), false), Now.AddHours(-2)));
        // An older failure, followed by a success, no longer counts.
        Assert.Equal(PcState.Green, Judge(success, new EndedBackup("j", JobValues.Failed, success.AddHours(-1), false)).State);
        Assert.Equal(new PcVerdict(PcState.Amber, PcStateReason.Partial),
            Judge(success, new EndedBackup("j", JobValues.Succeeded, success.AddMinutes(1), true)));
        Assert.Equal(new PcVerdict(PcState.Red, PcStateReason.Revoked), Judge(success, revoked: true));
    }

    [Fact]
    public void Days_since_counts_whole_days()
    {
        Assert.Equal(0, PcStates.DaysSince(Now, Now.AddHours(-23)));
        Assert.Equal(1, PcStates.DaysSince(Now, Now.AddHours(-24)));
        Assert.Equal(3, PcStates.DaysSince(Now, Now.AddDays(-3).AddHours(-5)));
    }

    [Fact]
    public void Next_run_is_now_when_no_backup_followed_the_latest_window_opening_else_the_next_opening()
    {
        var night = new BackupWindow(new TimeOnly(18, 0), new TimeOnly(9, 0));
        var utc = TimeZoneInfo.Utc;
        // Backed up last night after 18:00: next at 18:00 today.
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 18, 0, 0, TimeSpan.Zero), PcStates.NextRun(night, Now, utc, Now.AddHours(-16), false));
        // Last success before last night's opening: due now (the agent catches up as soon as the PC is on).
        Assert.Equal(Now, PcStates.NextRun(night, Now, utc, new DateTimeOffset(2026, 11, 19, 17, 0, 0, TimeSpan.Zero), false));
        Assert.Equal(Now, PcStates.NextRun(night, Now, utc, null, false));
        Assert.Null(PcStates.NextRun(night, Now, utc, Now.AddHours(-1), true));
        // At 19:00, backed up at 18:30: the next opening is tomorrow at 18:00.
        var evening = new DateTimeOffset(2026, 11, 20, 19, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 18, 0, 0, TimeSpan.Zero), PcStates.NextRun(night, evening, utc, evening.AddMinutes(-30), false));
    }

    [Fact]
    public void Next_run_follows_the_server_time_zone_across_a_daylight_saving_change()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var night = new BackupWindow(new TimeOnly(18, 0), new TimeOnly(9, 0));
        // 2026-10-25 is the change from CEST (+2) to CET (+1). Backed up on the 24th at 18:10 CEST.
        var now = new DateTimeOffset(2026, 10, 25, 10, 0, 0, TimeSpan.FromHours(1));
        var next = PcStates.NextRun(night, now, berlin, new DateTimeOffset(2026, 10, 24, 18, 10, 0, TimeSpan.FromHours(2)), false);
        Assert.Equal(new DateTimeOffset(2026, 10, 25, 18, 0, 0, TimeSpan.FromHours(1)), next);
    }
}
