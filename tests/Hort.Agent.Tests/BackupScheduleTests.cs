using Hort.Protocol;

namespace Hort.Agent.Tests;

public sealed class BackupScheduleTests
{
    private static readonly BackupWindow Night = new(new TimeOnly(18, 0), new TimeOnly(9, 0));
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.CreateCustomTimeZone("test+1", TimeSpan.FromHours(1), "test+1", "test+1");

    private static DateTimeOffset At(int day, int hour, int minute = 0) => new(2026, 3, day, hour, minute, 0, TimeSpan.FromHours(1));

    [Fact]
    public void A_new_pc_backs_up_at_once_even_outside_the_window()
    {
        Assert.True(BackupSchedule.IsDue(Night, At(10, 11), Berlin, null, null));
    }

    [Fact]
    public void After_a_backup_in_this_window_the_next_is_due_when_the_window_opens_again()
    {
        var done = At(10, 19);
        Assert.False(BackupSchedule.IsDue(Night, At(10, 23), Berlin, done, null));
        Assert.False(BackupSchedule.IsDue(Night, At(11, 8), Berlin, done, null));
        Assert.False(BackupSchedule.IsDue(Night, At(11, 17, 59), Berlin, done, null));
        Assert.True(BackupSchedule.IsDue(Night, At(11, 18), Berlin, done, null));
    }

    [Fact]
    public void A_pc_that_was_off_through_its_window_catches_up_when_it_comes_back()
    {
        var lastNight = At(9, 20);
        Assert.True(BackupSchedule.IsDue(Night, At(11, 10), Berlin, lastNight, null));
    }

    [Fact]
    public void A_failed_attempt_is_retried_only_after_a_pause()
    {
        Assert.False(BackupSchedule.IsDue(Night, At(10, 19), Berlin, null, At(10, 18, 50)));
        Assert.True(BackupSchedule.IsDue(Night, At(10, 19, 10), Berlin, null, At(10, 18, 50)));
    }

    [Fact]
    public void The_latest_opening_is_yesterdays_before_todays_start()
    {
        Assert.Equal(At(9, 18), BackupSchedule.LatestOpening(Night, At(10, 8), Berlin));
        Assert.Equal(At(10, 18), BackupSchedule.LatestOpening(Night, At(10, 18, 30), Berlin));
    }
}
