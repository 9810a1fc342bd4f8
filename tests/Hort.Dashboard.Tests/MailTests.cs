using Hort.Dashboard.Tests.Support;
using Hort.Server.Tests.Notifications;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hort.Dashboard.Tests;

/// <summary>E-mail set up on the Settings page reaches the SMTP sink: the test e-mail, and the alert of a real failed backup.</summary>
[Collection(SiteCollection.Name)]
[Trait("Category", "Browser")]
public sealed class MailTests(Chromium chromium, DashboardSite site) : BrowserTest(chromium)
{
    [Fact]
    public async Task Smtp_set_up_in_the_browser_delivers_the_test_e_mail_and_the_alert_of_a_failed_backup()
    {
        var sink = await SmtpSink.SharedAsync();
        var recipient = $"office-{Guid.NewGuid().ToString("N")[..8]}@example.com"; // this test's own, as the sink is shared
        var page = await SignIn.AdministratorAsync(Chromium, site);
        await page.GotoAsync("/settings");
        await page.Locator("#smtp-host").FillAsync("127.0.0.1");
        await page.Locator("#smtp-port").FillAsync(sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#smtp-security").SelectOptionAsync("None");
        await page.Locator("#mail-from").FillAsync("hort@office.test");
        await page.Locator("#mail-recipients").FillAsync(recipient);
        await page.Locator("#mail-language").SelectOptionAsync("en");
        await Submit.AndWaitAsync(page, page.Locator("form button.primary[type=submit]"));
        await Expect(page.Locator(".message.ok")).ToBeVisibleAsync();

        await Submit.AndWaitAsync(page, page.Locator("form button[formaction*='handler=Test']"));
        await Expect(page.Locator(".message.ok")).ToContainTextAsync(recipient);
        await Screenshots.SaveAsync(page, "settings");
        var test = Assert.Single(await sink.WaitForAsync(recipient));
        Assert.Contains("Test e-mail from Hort", test.Subject, StringComparison.Ordinal);

        // A second PC whose policy names no folder it has: its backup fails, and the alert is mailed.
        await using var workshop = await site.AddPcAsync("workshop", "/no/such/folder");
        var alert = await WaitForMailAsync(sink, recipient, count: 2);
        Assert.Contains("Backup failed", alert.Subject + alert.TextBody, StringComparison.Ordinal);
        Assert.Contains("workshop", alert.Subject + alert.TextBody, StringComparison.Ordinal);
    }

    /// <summary>Alerts are mailed by hortd's notification loop, once a minute; waits up to three minutes for the <paramref name="count"/>th message.</summary>
    private async Task<MimeKit.MimeMessage> WaitForMailAsync(SmtpSink sink, string recipient, int count)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var messages = await sink.WaitForAsync(recipient, count);
            if (messages.Count >= count) return messages[count - 1];
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"{messages.Count} message(s) to {recipient}\n{site.Diagnostics()}");
        }
    }
}
