using System.Text;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Maintenance;
using Hort.Server.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Notifications;

/// <summary>Alert e-mails, the weekly summary and the lasting-condition alerts, in a real hortd sending to a real SMTP sink.</summary>
[Trait("Category", "Smtp")]
public sealed class AlertMailTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTimeOffset Utc(int day, int hour, int minute = 0) => new(2026, 11, day, hour, minute, 0, TimeSpan.Zero);

    /// <summary>Settings that mail <paramref name="to"/> through the sink on <paramref name="port"/>.</summary>
    internal static NotificationSettings SinkSettings(int port, string to, string language = "en") => new()
    {
        SmtpHost = "127.0.0.1",
        SmtpPort = port,
        SmtpSecurity = SmtpSecurity.None,
        From = "Hort <hort@hort.test>",
        Recipients = [to],
        Language = language,
    };

    internal static async Task ConfigureAsync(TestServer server, NotificationSettings settings, string? password = null) =>
        Assert.Empty(await server.Host.Services.GetRequiredService<NotificationSettingsStore>().SaveAsync(settings, password, Ct));

    [Fact]
    public async Task A_new_alert_is_mailed_once_at_once_and_its_repeats_are_not()
    {
        var sink = await SmtpSink.SharedAsync();
        var to = SmtpSink.NewAddress();
        await using var server = await TestServer.StartAsync();
        await ConfigureAsync(server, SinkSettings(sink.Port, to));
        var admin = await server.AdminAsync();
        var (pc, _) = await server.EnrollAsync(admin, "desk-1");
        var services = server.Host.Services;
        var raiser = services.GetRequiredService<AlertRaiser>();
        var catalog = services.GetRequiredService<ServerCatalog>();

        var failed = new AlertRaise(AlertKinds.BackupFailed, AlertSeverity.Error, pc.PcId, "job j1", "the backup job j1 failed: the disk is gone");
        var id = await raiser.RaiseAsync(failed, Ct, once: true);

        // Nobody asks for the mail: the raiser woke the mailer.
        var mail = Assert.Single(await sink.WaitForAsync(to));
        Assert.Equal("[Hort] Error: Backup failed – desk-1", mail.Subject);
        Assert.Contains("the backup job j1 failed: the disk is gone", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains($"desk-1 ({pc.PcId})", mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("the backup job j1 failed: the disk is gone", mail.HtmlBody, StringComparison.Ordinal);
        Assert.Equal("hort@hort.test", Assert.Single(mail.From.Mailboxes).Address);
        await WaitUntilMailedAsync(catalog, id);

        // The same problem again updates the alert; it is not mailed again.
        var damage = new AlertRaise(AlertKinds.DamageFound, AlertSeverity.Error, null, "data/ab/ab12", "pack damaged");
        var damageId = await raiser.RaiseAsync(damage, Ct);
        await WaitUntilMailedAsync(catalog, damageId);
        Assert.Equal(id, await raiser.RaiseAsync(failed, Ct, once: true));
        Assert.Equal(damageId, await raiser.RaiseAsync(damage with { Message = "pack damaged again" }, Ct));
        Assert.Equal(0, await services.GetRequiredService<AlertMailer>().SendDueAsync(Ct));
        Assert.Equal(2, sink.MessagesTo(to).Count);
        Assert.Equal(2, (await catalog.GetAlertAsync(damageId, Ct))!.Occurrences);
    }

    [Fact]
    public async Task A_mail_the_smtp_server_cannot_take_is_kept_with_its_error_and_sent_once_the_server_is_up()
    {
        var clock = new ManualClock(Utc(30, 10));
        var to = SmtpSink.NewAddress();
        var port = SmtpSink.FreePort();
        await using var server = await TestServer.StartAsync(time: clock);
        await ConfigureAsync(server, SinkSettings(port, to));
        var services = server.Host.Services;
        var catalog = services.GetRequiredService<ServerCatalog>();
        var mailer = services.GetRequiredService<AlertMailer>();

        var id = await services.GetRequiredService<AlertRaiser>().RaiseAsync(
            new AlertRaise(AlertKinds.VerifyFailed, AlertSeverity.Error, null, "verification", "the verification failed"), Ct);
        await mailer.SendDueAsync(Ct); // the woken mailer may have tried first; either way one try at this time
        var state = (await catalog.AlertMailStateAsync(id, Ct))!;
        Assert.Equal((1L, (DateTimeOffset?)null, (DateTimeOffset?)Utc(30, 10, 1)), (state.Attempts, state.MailedAt, state.Due));
        Assert.Contains($"cannot connect to the SMTP server 127.0.0.1:{port}: connection refused", state.Error, StringComparison.Ordinal);

        await using var sink = await SmtpSink.StartAsync(port);
        Assert.Equal(0, await mailer.SendDueAsync(Ct)); // not due before its retry time
        Assert.Empty(sink.MessagesTo(to));
        clock.Advance(TimeSpan.FromMinutes(1));
        await mailer.SendDueAsync(Ct);
        var mail = Assert.Single(await sink.WaitForAsync(to));
        Assert.Equal("[Hort] Error: Verification failed", mail.Subject);
        state = (await catalog.AlertMailStateAsync(id, Ct))!;
        Assert.Equal((Utc(30, 10, 1), (string?)null), (state.MailedAt, state.Error));
        Assert.Equal(0, await mailer.SendDueAsync(Ct));
        Assert.Single(sink.MessagesTo(to));
    }

    [Fact]
    public async Task Alerts_raised_while_mail_is_not_set_up_are_not_mailed_later()
    {
        var sink = await SmtpSink.SharedAsync();
        var to = SmtpSink.NewAddress();
        await using var server = await TestServer.StartAsync();
        var services = server.Host.Services;
        var id = await services.GetRequiredService<AlertRaiser>().RaiseAsync(
            new AlertRaise(AlertKinds.PruneFailed, AlertSeverity.Error, null, "prune", "the prune failed"), Ct);
        await services.GetRequiredService<AlertMailer>().SendDueAsync(Ct);
        Assert.Null((await services.GetRequiredService<ServerCatalog>().AlertMailStateAsync(id, Ct))!.Due);

        await ConfigureAsync(server, SinkSettings(sink.Port, to));
        Assert.Equal(0, await services.GetRequiredService<AlertMailer>().SendDueAsync(Ct));
        Assert.Empty(sink.MessagesTo(to));
    }

    [Fact]
    public async Task The_weekly_summary_goes_out_on_its_day_and_hour_once_a_week_in_the_chosen_language()
    {
        var sink = await SmtpSink.SharedAsync();
        var to = SmtpSink.NewAddress();
        var clock = new ManualClock(Utc(29, 10)); // a Sunday
        var options = TestServer.NewOptions();
        options.AdminTokenHours = 24 * 30;
        await using var server = await TestServer.StartAsync(options, clock);
        await ConfigureAsync(server, SinkSettings(sink.Port, to, "de"));
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        await server.EnrollAsync(admin, "desk-2");
        await new AgentUploads(client, pc).BackupAsync(Encoding.UTF8.GetBytes("the report"));
        var summary = server.Host.Services.GetRequiredService<WeeklySummary>();

        Assert.Equal(Utc(30, 8), await summary.NextAsync(Ct)); // default: Monday 08:00, server time (UTC here)
        Assert.False(await summary.SendIfDueAsync(Ct));
        clock.Set(Utc(30, 8, 1));
        Assert.True(await summary.SendIfDueAsync(Ct));
        Assert.False(await summary.SendIfDueAsync(Ct));

        var mail = Assert.Single(await sink.WaitForAsync(to));
        Assert.Equal("[Hort] Wochenbericht: 2 PC(s), 1 mit Handlungsbedarf", mail.Subject);
        var text = mail.TextBody;
        Assert.Contains("desk-1 | 2026-11-29 10:00 (UTC+00:00) | 0 | OK", text, StringComparison.Ordinal);
        Assert.Contains("desk-2 | nie | – | Seit 3 Tagen oder länger keine Sicherung", text, StringComparison.Ordinal);
        Assert.Contains("Keine offenen Warnungen.", text, StringComparison.Ordinal);
        Assert.Contains("Größe des Repositorys: ", text, StringComparison.Ordinal);
        Assert.Contains("<td style=\"padding:2px 8px\">desk-2</td>", mail.HtmlBody, StringComparison.Ordinal);

        clock.Set(Utc(30, 8).AddDays(7).AddMinutes(-1));
        Assert.False(await summary.SendIfDueAsync(Ct));
        clock.Set(Utc(30, 8).AddDays(7));
        Assert.True(await summary.SendIfDueAsync(Ct));
        Assert.Equal(2, (await sink.WaitForAsync(to, 2)).Count);
    }

    [Fact]
    public async Task No_backup_for_n_days_raises_one_mailed_alert_per_pc_that_the_next_backup_resolves()
    {
        var sink = await SmtpSink.SharedAsync();
        var to = SmtpSink.NewAddress();
        var clock = new ManualClock(Utc(2, 9));
        var options = TestServer.NewOptions();
        options.AdminTokenHours = 24 * 30;
        await using var server = await TestServer.StartAsync(options, clock);
        await ConfigureAsync(server, SinkSettings(sink.Port, to) with { NoBackupDays = 2 });
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var services = server.Host.Services;
        var conditions = services.GetRequiredService<AlertConditions>();
        var catalog = services.GetRequiredService<ServerCatalog>();
        var mailer = services.GetRequiredService<AlertMailer>();

        clock.Set(Utc(4, 8));
        await conditions.CheckAsync(Ct);
        Assert.Empty(await catalog.ListAlertsAsync(true, pc.PcId, 10, Ct));

        clock.Set(Utc(4, 9));
        await conditions.CheckAsync(Ct);
        var alert = Assert.Single(await catalog.ListAlertsAsync(false, pc.PcId, 10, Ct));
        Assert.Equal((AlertKinds.NoBackup, AlertSeverity.Error), (alert.Kind, alert.Severity));
        Assert.Contains("no successful backup in the 2 days since it was enrolled", alert.Message, StringComparison.Ordinal);
        clock.Set(Utc(5, 9));
        await conditions.CheckAsync(Ct);
        await mailer.SendDueAsync(Ct);
        var updated = Assert.Single(await catalog.ListAlertsAsync(false, pc.PcId, 10, Ct));
        Assert.Equal((alert.Id, 2L), (updated.Id, updated.Occurrences));
        Assert.Contains("3 days", updated.Message, StringComparison.Ordinal);
        Assert.Equal("[Hort] Error: No backup – desk-1", Assert.Single(await sink.WaitForAsync(to)).Subject);

        // The next backup resolves it; two days later a new one is raised and mailed.
        await services.GetRequiredService<MaintenanceService>().TickAsync(Ct); // the clock jumped past the lease's refresh: renew it
        await new AgentUploads(client, pc).BackupAsync(Encoding.UTF8.GetBytes("at last"));
        await conditions.CheckAsync(Ct);
        var resolved = (await catalog.GetAlertAsync(alert.Id, Ct))!;
        Assert.Equal(AlertRaiser.ResolvedBy, resolved.AcknowledgedBy);
        Assert.Empty(await catalog.ListAlertsAsync(false, pc.PcId, 10, Ct));
        clock.Set(Utc(7, 9));
        await conditions.CheckAsync(Ct);
        var again = Assert.Single(await catalog.ListAlertsAsync(false, pc.PcId, 10, Ct));
        Assert.NotEqual(alert.Id, again.Id);
        Assert.Contains("the last one was received 2026-11-05 09:00 UTC", again.Message, StringComparison.Ordinal);
        await mailer.SendDueAsync(Ct);
        Assert.Equal(2, (await sink.WaitForAsync(to, 2)).Count);

        // Acknowledged while the PC still has no backup: not raised again until a backup ends the condition.
        Assert.True(await catalog.AcknowledgeAlertAsync(again.Id, "admin", clock.GetUtcNow(), Ct));
        clock.Set(Utc(8, 9));
        await conditions.CheckAsync(Ct);
        Assert.Empty(await catalog.ListAlertsAsync(false, pc.PcId, 10, Ct));
    }

    [Fact]
    public async Task A_nearly_full_file_system_raises_a_storage_alert_that_freeing_space_resolves()
    {
        await using var server = await TestServer.StartAsync();
        var services = server.Host.Services;
        var storage = services.GetRequiredService<StorageHistory>();
        var conditions = services.GetRequiredService<AlertConditions>();
        var catalog = services.GetRequiredService<ServerCatalog>();

        Assert.NotNull(DiskSpace.Of(server.Options.ResolvedRepositoryPath)); // the real probe answers here
        storage.Probe = _ => new DiskSpace(FreeBytes: 9L << 30, CapacityBytes: 100L << 30);
        await conditions.CheckAsync(Ct);
        var alert = Assert.Single(await catalog.ListAlertsAsync(false, null, 10, Ct));
        Assert.Equal((AlertKinds.StorageFull, AlertSeverity.Warning, null, AlertConditions.StorageSubject), (alert.Kind, alert.Severity, alert.PcId, alert.Subject));
        Assert.Contains("91% full: 9.0 GiB free of 100.0 GiB", alert.Message, StringComparison.Ordinal);

        storage.Probe = _ => new DiskSpace(FreeBytes: 11L << 30, CapacityBytes: 100L << 30);
        await conditions.CheckAsync(Ct);
        Assert.Empty(await catalog.ListAlertsAsync(false, null, 10, Ct));
        Assert.Equal(AlertRaiser.ResolvedBy, (await catalog.GetAlertAsync(alert.Id, Ct))!.AcknowledgedBy);
    }

    [Fact]
    public async Task Storage_is_sampled_once_a_day_and_the_series_shows_the_growth()
    {
        var clock = new ManualClock(Utc(2, 9));
        var options = TestServer.NewOptions();
        options.AdminTokenHours = 24 * 30;
        await using var server = await TestServer.StartAsync(options, clock);
        var storage = server.Host.Services.GetRequiredService<StorageHistory>();
        var first = await storage.SampleIfDueAsync(Ct);
        Assert.NotNull(first);
        Assert.Null(await storage.SampleIfDueAsync(Ct));

        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var payload = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("quarterly figures ", 500)));
        await new AgentUploads(client, pc).BackupAsync(payload);
        clock.Set(Utc(2, 23, 59));
        Assert.Null(await storage.SampleIfDueAsync(Ct));
        clock.Set(Utc(3, 0, 1));
        var second = await storage.SampleIfDueAsync(Ct);
        Assert.NotNull(second);

        var series = await storage.SeriesAsync(Utc(1, 0), Ct);
        Assert.Equal([Utc(2, 9), Utc(3, 0, 1)], series.Select(s => s.Time));
        Assert.True(series[1].RepositoryBytes > series[0].RepositoryBytes);
        Assert.True(series[1].Packs > series[0].Packs);
        Assert.Equal(0, series[0].ProtectedBytes);
        Assert.NotNull(series[1].FreeBytes);

        // Protected bytes: each PC's newest snapshot counts (as the agent reported its size).
        var catalog = server.Host.Services.GetRequiredService<ServerCatalog>();
        foreach (var (id, pcId, day, bytes) in new[] { ("s1", "pc-a", 1, 100L), ("s2", "pc-a", 2, 250L), ("s3", "pc-b", 1, 40L) })
        {
            await catalog.AddSnapshotAsync(new SnapshotDto(id, pcId, Utc(day, 1), "host", ["/"], new string('0', 64), 1, bytes), Ct);
        }

        Assert.Equal(290, await catalog.ProtectedBytesAsync(Ct));
        Assert.Equal([Utc(3, 0, 1)], (await storage.SeriesAsync(Utc(2, 10), Ct)).Select(s => s.Time));
    }

    private static async Task WaitUntilMailedAsync(ServerCatalog catalog, long id)
    {
        for (var i = 0; i < 600 && (await catalog.AlertMailStateAsync(id, Ct))!.MailedAt is null; i++)
        {
            await Task.Delay(50, Ct);
        }

        Assert.NotNull((await catalog.AlertMailStateAsync(id, Ct))!.MailedAt);
    }
}
