using Microsoft.Extensions.DependencyInjection;
using System.Net;
using Hort.Server.Dashboard.Auth;

namespace Hort.Server.Tests.Dashboard;

/// <summary>The dashboard's first start, sign-in, sign-out, cookies, antiforgery and headers, on a real hortd.</summary>
public sealed class DashboardSignInTests
{
    [Fact]
    public async Task Before_setup_every_page_leads_to_setup_and_the_printed_code_creates_the_admin()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = new DashboardClient(server);

        var overview = await anonymous.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, overview.StatusCode);
        Assert.StartsWith("/login", overview.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        var login = await anonymous.GetAsync("/login");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/setup", login.Headers.Location!.OriginalString);

        var wrong = await anonymous.SubmitAsync("/setup", new()
        {
            ["SetupCode"] = "AAAA-BBBB-CCCC-DDDD-EEEE-FFFF-GGGG-HHHH", ["Username"] = "admin",
            ["Password"] = DashboardClient.Password, ["Confirm"] = DashboardClient.Password,
        });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("setup code is wrong", (await DashboardClient.ParseAsync(wrong)).QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await server.Host.Services.GetRequiredService<Catalog.ServerCatalog>().CountAdminsAsync(TestContext.Current.CancellationToken));

        var differ = await anonymous.SubmitAsync("/setup", new()
        {
            ["SetupCode"] = server.SetupCode, ["Username"] = "admin", ["Password"] = DashboardClient.Password, ["Confirm"] = "something else entirely",
        });
        Assert.Equal(HttpStatusCode.OK, differ.StatusCode);
        Assert.Equal(0, await server.Host.Services.GetRequiredService<Catalog.ServerCatalog>().CountAdminsAsync(TestContext.Current.CancellationToken));

        using var admin = await DashboardClient.SetUpAdminAsync(server);
        var page = await admin.PageAsync("/");
        Assert.Equal("admin", page.QuerySelector("header .account")!.TextContent);

        // The code is spent: setup now sends everybody to the login page.
        using var late = new DashboardClient(server);
        var again = await late.GetAsync("/setup");
        Assert.Equal(HttpStatusCode.Redirect, again.StatusCode);
    }

    [Fact]
    public async Task Sign_in_with_a_wrong_password_is_refused_and_sign_out_ends_the_session_on_the_server()
    {
        await using var server = await TestServer.StartAsync();
        (await DashboardClient.SetUpAdminAsync(server)).Dispose();

        using var client = new DashboardClient(server);
        var wrong = await client.SignInAsync("admin", "not the password at all");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);

        var right = await client.SignInAsync("admin", DashboardClient.Password);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/", right.Headers.Location!.OriginalString);
        var cookie = Assert.Single(client.Cookies.GetCookies(server.Host.Address), c => c.Name == DashboardAuth.CookieName);
        Assert.True(cookie.Secure);
        Assert.True(cookie.HttpOnly);
        var setCookie = string.Join(";", right.Headers.GetValues("Set-Cookie"));
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        await client.PageAsync("/");

        // Keep the cookie, sign out: the same cookie must no longer open anything.
        var signOut = await client.SubmitAsync("/", [], "form[action='/logout']");
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        using var replay = new DashboardClient(server);
        replay.Cookies.Add(server.Host.Address, new Cookie(cookie.Name, cookie.Value, "/") { Secure = true });
        var after = await replay.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/login", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_post_without_its_antiforgery_token_is_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = await DashboardClient.SetUpAdminAsync(server);

        var forged = await admin.PostAsync("/logout", []);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        await admin.PageAsync("/");
    }

    [Fact]
    public async Task The_dashboard_cookie_opens_no_api_route_and_a_return_url_to_another_host_is_ignored()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = await DashboardClient.SetUpAdminAsync(server);
        var api = await admin.GetAsync(Protocol.Routes.Pcs);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);

        using var client = new DashboardClient(server);
        var response = await client.SubmitAsync("/login?returnUrl=https%3A%2F%2Fevil.example%2F",
            new() { ["Username"] = "admin", ["Password"] = DashboardClient.Password });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location!.OriginalString);
        var language = await client.GetAsync("/language/de?returnUrl=%2F%2Fevil.example");
        Assert.Equal("/", language.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Pages_carry_a_content_security_policy_and_the_language_follows_the_browser_then_the_switch()
    {
        await using var server = await TestServer.StartAsync();
        using var german = new DashboardClient(server, "de-DE,de;q=0.9,en;q=0.5");
        var setup = await german.GetAsync("/setup");
        Assert.Contains("frame-ancestors 'none'", setup.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var page = await DashboardClient.ParseAsync(setup);
        Assert.Equal("de", page.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Hort einrichten", page.QuerySelector("h1")!.TextContent);

        var switched = await german.GetAsync("/language/en?returnUrl=%2Fsetup");
        Assert.Equal("/setup", switched.Headers.Location!.OriginalString);
        var english = await german.PageAsync("/setup");
        Assert.Equal("Set up Hort", english.QuerySelector("h1")!.TextContent);

        var css = await german.GetAsync("/static/hort.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
    }
}
