using Hort.Dashboard.Tests.Support;

namespace Hort.Dashboard.Tests;

[Collection(SiteCollection.Name)]
[Trait("Category", "Browser")]
public sealed class SmokeTests(Chromium chromium, DashboardSite site)
{
    [Fact]
    public async Task The_browser_reaches_hortd()
    {
        var page = await chromium.NewPageAsync(site.Server);
        await page.GotoAsync("/api/v1/status");
        await Screenshots.SaveAsync(page, "smoke");
        Assert.Contains("\"snapshots\":1", await page.ContentAsync(), StringComparison.Ordinal);
    }
}
