using Hort.Dashboard.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hort.Dashboard.Tests;

/// <summary>Two-factor sign-in as a person sets it up: the secret from the account page into an authenticator (here: RFC 6238 in the test).</summary>
[Trait("Category", "Browser")]
public sealed class TwoFactorTests(Chromium chromium) : BrowserTest(chromium), IAsyncLifetime
{
    private const string User = "owner";
    private const string Password = "a long and secret sentence";

    private readonly string _root = Directory.CreateTempSubdirectory("hort-dashboard-2fa-").FullName;
    private HortServer _server = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await HortServer.StartAsync(Path.Combine(_root, "server"));
        await _server.SetUpAdministratorAsync(User, Password);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task After_enrolling_with_the_shown_secret_signing_in_needs_the_current_code()
    {
        var page = await Chromium.NewPageAsync(_server);
        await SignIn.WithPasswordAsync(page, User, Password);
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
        await page.GotoAsync("/account");
        await Screenshots.SaveAsync(page, "account");

        await page.Locator("#totp-setup button[type=submit]").ClickAsync();
        var secret = page.Locator("[data-totp-secret]");
        await Expect(secret).ToBeVisibleAsync();
        await Expect(page.Locator(".qr-box svg, .qr-box img")).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "account-2fa-setup");
        var base32 = (await secret.GetAttributeAsync("data-totp-secret"))!;

        var enrolled = Totp.Step(DateTimeOffset.UtcNow);
        await page.Locator("#Code").FillAsync(Totp.Code(base32, enrolled));
        await Submit.AndWaitAsync(page, page.Locator("#totp-confirm button[type=submit]"));
        await Expect(page.Locator("#totp-disable")).ToBeVisibleAsync();

        // Signed out, the password alone leads to the code step; a wrong code is refused, the right one signs in.
        await Submit.AndWaitAsync(page, page.Locator("header form[action='/logout'] button"));
        await SignIn.WithPasswordAsync(page, User, Password);
        Assert.Equal("/login/2fa", new Uri(page.Url).AbsolutePath);
        Assert.Null(await SignIn.SignedInUserAsync(page));
        await Screenshots.SaveAsync(page, "login-2fa");

        await EnterCodeAsync(page, WrongCode(base32));
        await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        Assert.Null(await SignIn.SignedInUserAsync(page));

        // A code is used once: the one of the step after enrolment, which the server accepts as the next step at the latest.
        await EnterCodeAsync(page, Totp.Code(base32, Math.Max(enrolled + 1, Totp.Step(DateTimeOffset.UtcNow))));
        Assert.Equal("/", new Uri(page.Url).AbsolutePath);
        Assert.Equal(User, await SignIn.SignedInUserAsync(page));
    }

    private static async Task EnterCodeAsync(IPage page, string code)
    {
        await page.Locator("#Code").FillAsync(code);
        await Submit.AndWaitAsync(page, page.Locator("main form button[type=submit]"));
    }

    /// <summary>A code that no step near now has.</summary>
    private static string WrongCode(string base32)
    {
        var now = Totp.Step(DateTimeOffset.UtcNow);
        var near = Enumerable.Range(-2, 5).Select(d => Totp.Code(base32, now + d)).ToHashSet();
        return Enumerable.Range(0, 10).Select(i => $"{i}{i}{i}{i}{i}{i}").First(c => !near.Contains(c));
    }
}
