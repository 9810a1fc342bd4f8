using Hort.Dashboard.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hort.Dashboard.Tests;

/// <summary>A hortd that has just been installed: the administrator is created in the browser with the printed setup code.</summary>
[Trait("Category", "Browser")]
public sealed class FirstRunTests(Chromium chromium) : BrowserTest(chromium), IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hort-dashboard-setup-").FullName;
    private HortServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await HortServer.StartAsync(Path.Combine(_root, "server"));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task The_setup_code_hortd_printed_creates_the_administrator_who_is_then_signed_in()
    {
        var page = await Chromium.NewPageAsync(_server);
        await page.GotoAsync("/setup");
        await Screenshots.SaveAsync(page, "setup");

        // A wrong code is refused and creates nobody.
        await FillSetupAsync(page, "WRONG-CODE", "owner", "a long and secret sentence");
        await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        Assert.Null(await SignIn.SignedInUserAsync(page));

        await page.GotoAsync("/setup");
        await FillSetupAsync(page, _server.SetupCode, "owner", "a long and secret sentence");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        Assert.Equal("owner", await SignIn.SignedInUserAsync(page));
        await Screenshots.SaveAsync(page, "overview-first-start");

        // The code worked once: another browser is sent to sign in, and the new password signs in.
        var other = await Chromium.NewPageAsync(_server);
        await other.GotoAsync("/setup");
        Assert.Equal("/login", new Uri(other.Url).AbsolutePath);
        await SignIn.WithPasswordAsync(other, "owner", "a long and secret sentence");
        Assert.Equal("owner", await SignIn.SignedInUserAsync(other));
    }

    private static async Task FillSetupAsync(IPage page, string code, string username, string password)
    {
        await page.Locator("#SetupCode").FillAsync(code);
        await page.Locator("#Username").FillAsync(username);
        await page.Locator("#Password").FillAsync(password);
        await page.Locator("#Confirm").FillAsync(password);
        await Submit.AndWaitAsync(page, page.Locator("main form button[type=submit]"));
    }
}
