using Hort.Server.Catalog;
using Hort.Server.Notifications;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Notifications;

/// <summary>The e-mail settings in the catalog (SQLite and PostgreSQL) and what the sender says when it cannot send.</summary>
[Trait("Category", "Catalog")]
public sealed class NotificationSettingsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Providers() => CatalogTests.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Settings_round_trip_and_the_password_is_stored_only_protected(string provider)
    {
        var (options, cleanup) = await CatalogTests.FreshAsync(provider);
        try
        {
            await using var catalog = await ServerCatalog.OpenAsync(options, Ct);
            var keys = DataProtectionProvider.Create(new DirectoryInfo(Path.Combine(options.DataDirectory, "keys")));
            var store = new NotificationSettingsStore(catalog, keys);
            Assert.Equal(new NotificationSettings().NoBackupDays, (await store.GetAsync(Ct)).NoBackupDays);
            Assert.False(await store.HasPasswordAsync(Ct));

            var settings = new NotificationSettings
            {
                SmtpHost = "mail.example.com", SmtpPort = 465, SmtpSecurity = SmtpSecurity.Tls, SmtpUser = "hort",
                From = "Hort <hort@example.com>", Recipients = ["chef@example.com", "it@example.com"], Language = "de",
                NoBackupDays = 5, StorageFullPercent = 80, WeeklySummary = false, SummaryDay = DayOfWeek.Friday, SummaryTime = new TimeOnly(17, 30),
            };
            const string password = "Geheimnis-Pässwort-42";
            Assert.Empty(await store.SaveAsync(settings, password, Ct));

            var loaded = await store.GetAsync(Ct);
            Assert.Equal(settings.Recipients, loaded.Recipients);
            Assert.Equal(settings, loaded with { Recipients = settings.Recipients });
            Assert.True(await store.HasPasswordAsync(Ct));
            Assert.Equal(password, (await store.ForSendingAsync(Ct)).Password);
            var row = (await catalog.GetSettingAsync(NotificationSettingsStore.SettingName, Ct))!;
            Assert.Contains("mail.example.com", row, StringComparison.Ordinal);
            Assert.DoesNotContain("Geheimnis", row, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(password)), row, StringComparison.Ordinal);

            // Null keeps the password; bad input changes nothing and says why; empty removes the password.
            Assert.Empty(await store.SaveAsync(settings with { SmtpPort = 587 }, null, Ct));
            Assert.Equal(password, (await store.ForSendingAsync(Ct)).Password);
            var before = await catalog.GetSettingAsync(NotificationSettingsStore.SettingName, Ct);
            var problems = await store.SaveAsync(settings with { SmtpPort = 70000, Recipients = ["not an address"] }, "other", Ct);
            Assert.Equal(["the SMTP port 70000 is outside 1..65535", "the recipient 'not an address' is not an e-mail address"], problems);
            Assert.Equal(before, await catalog.GetSettingAsync(NotificationSettingsStore.SettingName, Ct));
            Assert.Empty(await store.SaveAsync(settings, "", Ct));
            Assert.False(await store.HasPasswordAsync(Ct));

            // Another server's keys cannot read the password: a clear error, not garbage.
            Assert.Empty(await store.SaveAsync(settings, password, Ct));
            var stranger = new NotificationSettingsStore(catalog, DataProtectionProvider.Create(Directory.CreateTempSubdirectory("hort-keys-")));
            var e = await Assert.ThrowsAsync<MailDeliveryException>(() => stranger.ForSendingAsync(Ct));
            Assert.Contains("enter it again on the Settings page", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            await cleanup();
        }
    }

    [Fact]
    public void Incomplete_or_malformed_settings_are_named()
    {
        Assert.Empty(new NotificationSettings().Problems());
        Assert.Equal(
            ["to send e-mail, set the SMTP server, the sender address and at least one recipient (or leave all three empty)"],
            new NotificationSettings { SmtpHost = "mail.example.com" }.Problems());
        Assert.Equal(
            [
                "the SMTP server 'mail server' is not a host name or IP address", "the sender 'hort' is not an e-mail address",
                "the language 'fr' is unknown (en or de)", "the days without backup 0 are outside 1..365", "the storage alert at 100% used is outside 50..99",
            ],
            new NotificationSettings
            {
                SmtpHost = "mail server", From = "hort", Recipients = ["a@example.com"], Language = "fr", NoBackupDays = 0, StorageFullPercent = 100,
            }.Problems());
        Assert.Equal(["a@example.com", "b@example.com", "c@example.com"], NotificationSettings.ParseRecipients(" a@example.com, b@example.com;\nc@example.com\n"));
    }

    [Fact]
    [Trait("Category", "Smtp")]
    public async Task A_wrong_port_or_password_gives_a_clear_error_and_the_right_ones_deliver_the_test_mail()
    {
        var sink = await SmtpSink.SharedAsync();
        var to = SmtpSink.NewAddress();
        await using var server = await TestServer.StartAsync();
        var sender = server.Host.Services.GetRequiredService<MailSender>();
        var settings = AlertMailTests.SinkSettings(sink.Port, to);

        var port = SmtpSink.FreePort();
        var refused = await Assert.ThrowsAsync<MailDeliveryException>(() => sender.SendTestAsync(settings with { SmtpPort = port }, null, Ct));
        Assert.Equal($"cannot connect to the SMTP server 127.0.0.1:{port}: connection refused (is the host and port right, and is the server running?)", refused.Message);

        var login = settings with { SmtpUser = "hort" };
        var denied = await Assert.ThrowsAsync<MailDeliveryException>(() => sender.SendTestAsync(login, "wrong", Ct));
        Assert.StartsWith($"the SMTP server 127.0.0.1:{sink.Port} refused the user name or password", denied.Message, StringComparison.Ordinal);

        var tls = await Assert.ThrowsAsync<MailDeliveryException>(() => sender.SendTestAsync(settings with { SmtpSecurity = SmtpSecurity.StartTls }, null, Ct));
        Assert.Contains("STARTTLS", tls.Message, StringComparison.Ordinal);

        var incomplete = await Assert.ThrowsAsync<MailDeliveryException>(() => sender.SendTestAsync(settings with { Recipients = [] }, null, Ct));
        Assert.StartsWith("to send e-mail, set the SMTP server", incomplete.Message, StringComparison.Ordinal);

        await sender.SendTestAsync(login with { Language = "de" }, "right", Ct);
        var mail = Assert.Single(await sink.WaitForAsync(to));
        Assert.Equal("[Hort] Test-E-Mail von Hort", mail.Subject);
        Assert.Contains("Diese Test-E-Mail zeigt", mail.TextBody, StringComparison.Ordinal);
    }
}
