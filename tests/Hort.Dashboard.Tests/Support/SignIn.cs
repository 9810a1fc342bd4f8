using Microsoft.Playwright;

namespace Hort.Dashboard.Tests.Support;

/// <summary>Signing in through the dashboard's own forms, as a person does.</summary>
internal static class SignIn
{
    /// <summary>Fills the login form and submits it; returns once the browser has left <c>/login</c>.</summary>
    public static async Task WithPasswordAsync(IPage page, string username, string password)
    {
        await page.GotoAsync("/login");
        await page.Locator("#Username").FillAsync(username);
        await page.Locator("#Password").FillAsync(password);
        await Submit.AndWaitAsync(page, page.Locator("main form button[type=submit]"));
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath != "/login");
    }

    /// <summary>A new page of the shared site with its administrator signed in.</summary>
    public static async Task<IPage> AdministratorAsync(Chromium chromium, DashboardSite site, int width = Chromium.DesktopWidth)
    {
        var page = await chromium.NewPageAsync(site.Server, width);
        await WithPasswordAsync(page, DashboardSite.AdminName, DashboardSite.AdminPassword);
        return page;
    }

    /// <summary>The name the layout shows as signed in (the link to the account page), or null.</summary>
    public static async Task<string?> SignedInUserAsync(IPage page)
    {
        var account = page.Locator("header a[href='/account']");
        return await account.CountAsync() == 0 ? null : (await account.InnerTextAsync()).Trim();
    }
}
