using System.Globalization;
using Hort.Dashboard.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Hort.Dashboard.Tests;

/// <summary>The Overview shows what the real agent did: its PC in green with the time of its completed backup.</summary>
[Collection(SiteCollection.Name)]
[Trait("Category", "Browser")]
public sealed class OverviewTests(Chromium chromium, DashboardSite site) : BrowserTest(chromium)
{
    [Fact]
    public async Task The_overview_shows_the_pc_green_with_the_time_of_its_completed_backup()
    {
        var page = await SignIn.AdministratorAsync(Chromium, site);
        await page.GotoAsync("/");
        var row = page.Locator($"main tr[data-pc='{site.PcId}']");
        await Expect(row).ToHaveAttributeAsync("data-state", "green");
        await Expect(row.Locator("th")).ToContainTextAsync(DashboardSite.PcName);
        await Expect(row.Locator(".state.green")).ToBeVisibleAsync();

        // Last backup: the snapshot's time as hortd received it, in the server's time zone (this machine's) and English.
        var backedUp = TimeZoneInfo.ConvertTime(site.FirstSnapshot.Time, TimeZoneInfo.Local).ToString("g", CultureInfo.GetCultureInfo("en"));
        await Expect(row.Locator("td").Nth(1)).ToHaveTextAsync(backedUp);
        await Expect(row.Locator("td").Nth(2)).ToHaveTextAsync("0");
        await Screenshots.SaveAsync(page, "overview-backed-up");
    }
}
