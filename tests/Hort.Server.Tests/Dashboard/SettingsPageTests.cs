using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Hort.Server.Catalog;
using Hort.Server.Notifications;
using Hort.Server.Tests.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>The Settings page on a real hortd: saving e-mail settings, refusing bad input, and the test e-mail through a real SMTP sink.</summary>
[Trait("Category", "Smtp")]
public sealed class SettingsPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_admin_saves_the_mail_settings_and_the_test_email_arrives()
    {
        var sink = await SmtpSink.SharedAsync();
        var to = SmtpSink.NewAddress();
        await using var server = await TestServer.StartAsync();
        using var admin = await DashboardClient.SetUpAdminAsync(server);
        var store = server.Host.Services.GetRequiredService<NotificationSettingsStore>();

        var page = await admin.PageAsync("/settings");
        Assert.Equal("587", page.QuerySelector<IHtmlInputElement>("#smtp-port")!.Value);
        Assert.Equal("3", page.QuerySelector<IHtmlInputElement>("#no-backup-days")!.Value);
        Assert.Equal("90", page.QuerySelector<IHtmlInputElement>("#storage-percent")!.Value);
        Assert.Equal("Monday", page.QuerySelector<IHtmlSelectElement>("#summary-day")!.Value);
        Assert.Equal("08:00", page.QuerySelector<IHtmlInputElement>("#summary-time")!.Value);
        Assert.NotNull(page.QuerySelector("label[for=smtp-password]"));

        var fields = new Dictionary<string, string>
        {
            ["Form.SmtpHost"] = "127.0.0.1", ["Form.SmtpPort"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Form.SmtpSecurity"] = "None", ["Form.SmtpUser"] = "hort", ["Form.SmtpPassword"] = "mail-secret-4711",
            ["Form.From"] = "Hort <hort@hort.test>", ["Form.Recipients"] = to, ["Form.Language"] = "de",
            ["Form.NoBackupDays"] = "5", ["Form.StorageFullPercent"] = "85", ["Form.SummaryDay"] = "Friday", ["Form.SummaryTime"] = "17:30", ["Form.WeeklySummary"] = "false",
        };
        var saved = await admin.SubmitAsync("/settings", fields);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var after = await DashboardClient.ParseAsync(saved);
        Assert.Equal("The settings are saved.", after.QuerySelector("[role=status]")!.TextContent);
        Assert.Equal("", after.QuerySelector<IHtmlInputElement>("#smtp-password")!.Value);
        Assert.DoesNotContain("mail-secret-4711", after.DocumentElement.OuterHtml, StringComparison.Ordinal);

        var settings = await store.GetAsync(Ct);
        Assert.Equal(("127.0.0.1", sink.Port, SmtpSecurity.None, "hort", "de"), (settings.SmtpHost, settings.SmtpPort, settings.SmtpSecurity, settings.SmtpUser, settings.Language));
        Assert.Equal((5, 85, false, DayOfWeek.Friday, new TimeOnly(17, 30)),
            (settings.NoBackupDays, settings.StorageFullPercent, settings.WeeklySummary, settings.SummaryDay, settings.SummaryTime));
        Assert.Equal([to], settings.Recipients);
        Assert.Equal("mail-secret-4711", (await store.ForSendingAsync(Ct)).Password);
        Assert.DoesNotContain("mail-secret-4711", await server.Host.Services.GetRequiredService<ServerCatalog>().GetSettingAsync(NotificationSettingsStore.SettingName, Ct), StringComparison.Ordinal);

        // The page shows the stored password only as "stored"; the test e-mail uses it.
        page = await admin.PageAsync("/settings");
        Assert.Contains("A password is stored", page.QuerySelector("#smtp-password-hint")!.TextContent, StringComparison.Ordinal);
        var test = await admin.SubmitAsync("/settings", [], handler: "Test");
        Assert.Equal(HttpStatusCode.OK, test.StatusCode);
        Assert.Equal($"The test e-mail was sent to {to}.", (await DashboardClient.ParseAsync(test)).QuerySelector("[role=status]")!.TextContent);
        var mail = Assert.Single(await sink.WaitForAsync(to));
        Assert.Equal("[Hort] Test-E-Mail von Hort", mail.Subject);
    }

    [Fact]
    public async Task Bad_input_shows_what_is_wrong_and_changes_nothing_and_a_failing_test_email_shows_the_exact_error()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = await DashboardClient.SetUpAdminAsync(server);
        var catalog = server.Host.Services.GetRequiredService<ServerCatalog>();

        var bad = await admin.SubmitAsync("/settings", new()
        {
            ["Form.SmtpHost"] = "mail.example.com", ["Form.SmtpPort"] = "abc", ["Form.From"] = "hort@example.com",
            ["Form.Recipients"] = "chef@example.com, not an address",
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var alert = (await DashboardClient.ParseAsync(bad)).QuerySelector("[role=alert]")!.TextContent;
        Assert.Contains("The settings were not saved:", alert, StringComparison.Ordinal);
        Assert.Contains("Port: \"abc\" is not a whole number.", alert, StringComparison.Ordinal);
        Assert.Null(await catalog.GetSettingAsync(NotificationSettingsStore.SettingName, Ct));

        var invalid = await admin.SubmitAsync("/settings", new()
        {
            ["Form.SmtpHost"] = "mail.example.com", ["Form.From"] = "hort@example.com", ["Form.Recipients"] = "chef@example.com, not an address",
        });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("the recipient 'not an address' is not an e-mail address",
            (await DashboardClient.ParseAsync(invalid)).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Null(await catalog.GetSettingAsync(NotificationSettingsStore.SettingName, Ct));

        var port = SmtpSink.FreePort();
        var failed = await admin.SubmitAsync("/settings", new()
        {
            ["Form.SmtpHost"] = "127.0.0.1", ["Form.SmtpPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Form.SmtpSecurity"] = "None", ["Form.From"] = "hort@example.com", ["Form.Recipients"] = "chef@example.com",
        }, handler: "Test");
        Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        Assert.Equal(
            $"The test e-mail could not be sent: cannot connect to the SMTP server 127.0.0.1:{port}: connection refused (is the host and port right, and is the server running?)",
            (await DashboardClient.ParseAsync(failed)).QuerySelector("[role=alert]")!.TextContent.Trim());
        Assert.Null(await catalog.GetSettingAsync(NotificationSettingsStore.SettingName, Ct));
    }

    [Fact]
    public async Task Only_a_signed_in_admin_may_open_the_settings()
    {
        await using var server = await TestServer.StartAsync();
        using (await DashboardClient.SetUpAdminAsync(server))
        {
        }

        using var anonymous = new DashboardClient(server);
        var response = await anonymous.GetAsync("/settings");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }
}
