using Hort.Dashboard.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace Hort.Dashboard.Tests;

/// <summary>The Overview shows what the real agent did: its PC and its completed backup.</summary>
[Collection(SiteCollection.Name)]
[Trait("Category", "Browser")]
public sealed class OverviewTests(Chromium chromium, DashboardSite site) : BrowserTest(chromium)
{
    [Fact]
    public async Task The_overview_shows_the_pc_with_the_time_of_its_completed_backup()
    {
        var page = await SignIn.AdministratorAsync(Chromium, site);
        await page.GotoAsync("/");
        var row = page.Locator("main tr", new() { Has = page.GetByText(DashboardSite.PcName, new() { Exact = true }) });
        await Expect(row).ToHaveCountAsync(1);
        var backedUp = site.FirstSnapshot.Time.ToLocalTime();
        await Expect(row).ToContainTextAsync(backedUp.ToString("M/d/yyyy", System.Globalization.CultureInfo.InvariantCulture));
        await Expect(row).Not.ToContainTextAsync("never");
        await Screenshots.SaveAsync(page, "overview-backed-up");
    }
}
