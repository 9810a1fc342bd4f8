using Hort.Dashboard.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hort.Dashboard.Tests;

/// <summary>What every page shares: every page of the navigation opens, works by keyboard and on a phone, and speaks German.</summary>
[Collection(SiteCollection.Name)]
[Trait("Category", "Browser")]
public sealed class LayoutTests(Chromium chromium, DashboardSite site) : BrowserTest(chromium)
{
    /// <summary>The dashboard's pages, each opened by the administrator and saved as a screenshot named after its path.</summary>
    public static readonly TheoryData<string> Pages = new("/", "/alerts", "/storage", "/policies", "/add-pc", "/users", "/account", "/settings");

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Each_page_opens_with_a_heading_and_is_saved_as_a_screenshot(string path)
    {
        var page = await SignIn.AdministratorAsync(Chromium, site);
        var response = await page.GotoAsync(path);
        Assert.True(response is { Ok: true }, $"{path}: {response?.Status}\n{site.Diagnostics()}");
        await Expect(page.Locator("main h1")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, path == "/" ? "overview" : path.Trim('/').Replace('/', '-'));
    }

    [Fact]
    public async Task The_overview_leads_to_the_pcs_page_and_its_backup_to_the_browse_page()
    {
        var page = await SignIn.AdministratorAsync(Chromium, site);
        await page.GotoAsync("/");
        await page.Locator($"main tr[data-pc='{site.PcId}'] a").First.ClickAsync();
        await Expect(page.Locator("main h1")).ToHaveTextAsync(DashboardSite.PcName);
        Assert.EndsWith("/pcs/" + site.PcId, page.Url, StringComparison.Ordinal);
        await Expect(page.Locator("main ol.timeline")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "pc-detail");

        await page.Locator($"main table.snapshots tr[data-snapshot='{site.FirstSnapshot.Id}'] a").ClickAsync();
        await Expect(page.Locator("main select[name=s]")).ToHaveValueAsync(site.FirstSnapshot.Id);
    }

    [Fact]
    public async Task On_a_phone_the_overview_fits_the_screen_width()
    {
        var page = await SignIn.AdministratorAsync(Chromium, site, Chromium.PhoneWidth);
        await page.GotoAsync("/");
        await Expect(page.Locator("main")).ToContainTextAsync(DashboardSite.PcName);
        await Screenshots.SaveAsync(page, "overview-phone");
        // Wide tables scroll inside their own box; the page itself never scrolls sideways.
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow}px wider than a {Chromium.PhoneWidth}px phone");
    }

    [Fact]
    public async Task The_keyboard_reaches_the_skip_link_the_navigation_and_the_pc_with_a_visible_focus()
    {
        var page = await SignIn.AdministratorAsync(Chromium, site);
        await page.GotoAsync("/");

        // The first Tab lands on the skip link, which then shows; Enter moves focus to the page's content.
        await page.Keyboard.PressAsync("Tab");
        var skip = page.Locator("a.skip");
        Assert.True(await skip.EvaluateAsync<bool>("e => e === document.activeElement"), await Focus.DescribeAsync(page));
        Assert.True(await Focus.IsVisiblyFocusedAsync(page), "the skip link has no visible focus");
        await Expect(skip).ToBeInViewportAsync();
        await page.Keyboard.PressAsync("Enter");
        Assert.Equal("main", await page.EvaluateAsync<string>("() => document.activeElement.id"));

        // Every navigation link, the sign-out button and the PC's link in the overview are reached by Tab, each with a visible focus.
        await page.GotoAsync("/");
        foreach (var target in await page.Locator($"header nav a, header form button, main tr[data-pc='{site.PcId}'] a").AllAsync())
        {
            Assert.True(await Focus.TabToAsync(page, target), $"Tab never reached {await target.InnerTextAsync()}");
            Assert.True(await Focus.IsVisiblyFocusedAsync(page), $"no visible focus on {await Focus.DescribeAsync(page)}");
        }
    }

    [Fact]
    public async Task The_language_switch_shows_german_text_and_a_german_browser_gets_it_at_once()
    {
        var page = await SignIn.AdministratorAsync(Chromium, site);
        await page.GotoAsync("/");
        await Submit.MarkAsync(page);
        await page.Locator("header a[hreflang='de']").ClickAsync();
        await Submit.NewDocumentAsync(page);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Übersicht");
        await Expect(page.Locator("header")).ToContainTextAsync("Abmelden");
        await Screenshots.SaveAsync(page, "overview-de");

        // The choice is kept: the next page is German too; switching back gives English.
        await page.GotoAsync("/");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "de");
        await Submit.MarkAsync(page);
        await page.Locator("header a[hreflang='en']").ClickAsync();
        await Submit.NewDocumentAsync(page);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        var german = await Chromium.NewPageAsync(site.Server, locale: "de-DE");
        await german.GotoAsync("/login");
        await Expect(german.Locator("main h1")).ToHaveTextAsync("Anmelden");
    }
}
