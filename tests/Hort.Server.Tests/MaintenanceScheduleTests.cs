using Hort.Protocol;
using Hort.Server.Maintenance;

namespace Hort.Server.Tests;

public sealed class MaintenanceScheduleTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public void Daily_runs_are_due_at_the_next_local_time_after_the_given_instant()
    {
        var at = new TimeOnly(9, 30);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 9, 30, 0, TimeSpan.FromHours(1)),
            MaintenanceSchedule.NextDaily(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero), at, Berlin)); // 09:00 local
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.FromHours(1)),
            MaintenanceSchedule.NextDaily(new DateTimeOffset(2026, 11, 30, 8, 30, 0, TimeSpan.Zero), at, Berlin)); // exactly then: next day
    }

    [Fact]
    public void The_weekly_prune_is_due_on_its_day_and_follows_summer_time()
    {
        var options = new MaintenanceOptions { PruneDay = DayOfWeek.Sunday, PruneTime = new TimeOnly(2, 30) };
        // Sunday 29 March 2026 02:30 does not exist in Berlin (clocks jump from 02:00 to 03:00): an hour later.
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 3, 30, 0, TimeSpan.FromHours(2)),
            MaintenanceSchedule.NextRun(MaintenanceKind.Prune, new DateTimeOffset(2026, 3, 25, 12, 0, 0, TimeSpan.Zero), options, Berlin));
        Assert.Equal(new DateTimeOffset(2026, 4, 5, 2, 30, 0, TimeSpan.FromHours(2)),
            MaintenanceSchedule.NextRun(MaintenanceKind.Prune, new DateTimeOffset(2026, 3, 29, 3, 0, 0, TimeSpan.Zero), options, Berlin));
        Assert.Equal(DayOfWeek.Sunday, MaintenanceSchedule.NextRun(MaintenanceKind.Prune, DateTimeOffset.UnixEpoch, new MaintenanceOptions(), Berlin).DayOfWeek);
    }

    [Fact]
    public void Maintenance_settings_are_read_from_the_environment_and_checked()
    {
        var data = Directory.CreateTempSubdirectory("hortd-options-").FullName;
        try
        {
            var options = Hosting.OptionsLoader.Load(Hosting.OptionsLoader.Parse([]), new Dictionary<string, string?>
            {
                ["DataDirectory"] = data, ["Maintenance:PruneDay"] = "Saturday", ["Maintenance:PruneTime"] = "13:15", ["Maintenance:VerifyReadAllDataDays"] = "14",
            });
            Assert.Equal((DayOfWeek.Saturday, new TimeOnly(13, 15), 14), (options.Maintenance.PruneDay, options.Maintenance.PruneTime, options.Maintenance.VerifyReadAllDataDays));
            var wrong = Assert.Throws<Core.HortException>(() => Hosting.OptionsLoader.Load(Hosting.OptionsLoader.Parse([]),
                new Dictionary<string, string?> { ["DataDirectory"] = data, ["Maintenance:PruneMaxUnusedPercent"] = "150" }));
            Assert.Contains("PruneMaxUnusedPercent", wrong.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Fact]
    public void Invalid_maintenance_settings_are_named()
    {
        var options = new MaintenanceOptions { PruneMaxUnusedPercent = 120, VerifyReadAllDataDays = -1, WaitForSessionsHours = 1000 };
        Assert.Equal(3, options.Problems().Count());
        Assert.Empty(new MaintenanceOptions().Problems());
    }
}
