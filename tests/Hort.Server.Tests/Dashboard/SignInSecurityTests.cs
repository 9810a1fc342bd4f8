using System.Net;
using System.Net.Http.Json;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>Roles, per-account lockout, two-factor sign-in and session ends, on a real hortd.</summary>
public sealed class SignInSecurityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpResponseMessage> ApiLoginAsync(TestServer server, string user, string password, string? code = null) =>
        await server.Client().PostAsync(Routes.Login, new LoginRequest(user, password, code), ProtocolJson.Default.LoginRequest);

    private static async Task<string> AlertAsync(HttpResponseMessage response) =>
        (await DashboardClient.ParseAsync(response)).QuerySelector("[role=alert]")?.TextContent ?? "";

    [Fact]
    public async Task Restore_only_users_sign_in_to_the_dashboard_with_their_role_but_get_no_api_token()
    {
        await using var server = await TestServer.StartAsync();
        (await DashboardClient.SetUpAdminAsync(server)).Dispose();
        await Users.AddAsync(server, "clerk", DashboardAuth.RestoreRole);

        var api = await ApiLoginAsync(server, "clerk", TestServer.AdminPassword);
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Contains("administrators", await api.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        using var clerk = new DashboardClient(server);
        var signedIn = await clerk.SignInAsync("clerk", TestServer.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var page = await clerk.PageAsync("/");
        Assert.Equal("clerk", page.QuerySelector("header .account")!.TextContent);
    }

    [Fact]
    public async Task An_account_locks_after_repeated_failures_and_an_unknown_name_reads_and_locks_the_same()
    {
        var options = TestServer.NewOptions();
        options.AccountLockoutFailures = 3;
        options.AccountLockoutMinutes = 15;
        options.MaxFailedAttempts = 1000;
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(options, clock);
        (await DashboardClient.SetUpAdminAsync(server)).Dispose();
        using var client = new DashboardClient(server);

        // A success in between starts the count again.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SignInAsync("admin", "wrong password one")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SignInAsync("admin", "wrong password two")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ApiLoginAsync(server, "admin", TestServer.AdminPassword)).StatusCode);
        Assert.Equal(0, (await Users.GetAsync(server, "admin"))!.FailedAttempts);

        foreach (var name in new[] { "admin", "nobody" })
        {
            var messages = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                var wrong = await client.SignInAsync(name, "wrong password " + i);
                Assert.Equal(i < 2 ? HttpStatusCode.Unauthorized : HttpStatusCode.TooManyRequests, wrong.StatusCode);
                messages.Add(await AlertAsync(wrong));
            }

            Assert.Equal("Wrong user name or password.", messages[0]);
            Assert.Equal(messages[0], messages[1]);
            Assert.StartsWith("This account is locked after too many failed sign-ins. Try again in 15 minutes", messages[2], StringComparison.Ordinal);
        }

        // Locked: even the right password is refused, on the page and by the API.
        var locked = await client.SignInAsync("admin", TestServer.AdminPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Contains("locked", await AlertAsync(locked), StringComparison.Ordinal);
        var apiLocked = await ApiLoginAsync(server, "admin", TestServer.AdminPassword);
        Assert.Equal(HttpStatusCode.TooManyRequests, apiLocked.StatusCode);
        Assert.Contains("account is locked", await apiLocked.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.SignInAsync("nobody", TestServer.AdminPassword)).StatusCode);

        clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync("admin", TestServer.AdminPassword)).StatusCode);
        Assert.Null((await Users.GetAsync(server, "admin"))!.LockedUntil);
        Assert.Equal(HttpStatusCode.Unauthorized, (await new DashboardClient(server).SignInAsync("nobody", "wrong again")).StatusCode);
    }

    [Fact]
    public async Task With_two_factor_the_password_alone_makes_no_session_and_the_code_step_finishes_the_sign_in_once()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(time: clock);
        (await DashboardClient.SetUpAdminAsync(server)).Dispose();
        var secret = await Users.EnableTotpAsync(server, "admin");

        using var client = new DashboardClient(server);
        var password = await client.SignInAsync("admin", TestServer.AdminPassword);
        Assert.Equal(HttpStatusCode.Redirect, password.StatusCode);
        Assert.Equal("/login/2fa", password.Headers.Location!.OriginalString);
        Assert.DoesNotContain(client.Cookies.GetCookies(server.Host.Address), c => c.Name == DashboardAuth.CookieName);
        var pending = Assert.Single(client.Cookies.GetCookies(server.Host.Address), c => c.Name == DashboardAuth.SecondStepCookie);
        Assert.True(pending.Secure && pending.HttpOnly);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/")).StatusCode);

        var wrong = await client.SubmitAsync("/login/2fa", new() { ["Code"] = Users.Code(server, secret, stepsAhead: 3) });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("wrong or was used already", await AlertAsync(wrong), StringComparison.Ordinal);

        var code = Users.Code(server, secret);
        var right = await client.SubmitAsync("/login/2fa", new() { ["Code"] = code });
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal("/", right.Headers.Location!.OriginalString);
        await client.PageAsync("/");

        // The same code a second time (a replay) is refused, by the page and by the API.
        using var again = new DashboardClient(server);
        await again.SignInAsync("admin", TestServer.AdminPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.SubmitAsync("/login/2fa", new() { ["Code"] = code })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await ApiLoginAsync(server, "admin", TestServer.AdminPassword, code)).StatusCode);

        // The API asks for the code, then takes the next one.
        var noCode = await ApiLoginAsync(server, "admin", TestServer.AdminPassword);
        Assert.Equal(HttpStatusCode.Unauthorized, noCode.StatusCode);
        Assert.Contains("totpCode", await noCode.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        clock.Advance(TimeSpan.FromSeconds(30));
        var withCode = await ApiLoginAsync(server, "admin", TestServer.AdminPassword, Users.Code(server, secret));
        Assert.Equal(HttpStatusCode.OK, withCode.StatusCode);
        Assert.NotNull(await withCode.Content.ReadFromJsonAsync(ProtocolJson.Default.LoginResponse, Ct));

        // The half-done state expires: after five minutes the code page sends the user back to the password.
        using var slow = new DashboardClient(server);
        await slow.SignInAsync("admin", TestServer.AdminPassword);
        clock.Advance(TimeSpan.FromMinutes(6));
        var late = await slow.PostAsync("/login/2fa", [new("Code", Users.Code(server, secret))]);
        Assert.NotEqual(HttpStatusCode.OK, late.StatusCode);
        Assert.DoesNotContain(slow.Cookies.GetCookies(server.Host.Address), c => c.Name == DashboardAuth.CookieName);
        Assert.Equal(HttpStatusCode.Redirect, (await slow.GetAsync("/login/2fa")).StatusCode);
    }

    [Fact]
    public async Task A_session_idle_past_the_limit_is_sent_to_login_and_activity_keeps_it_alive()
    {
        var options = TestServer.NewOptions();
        options.DashboardSessionMinutes = 30;
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(options, clock);
        using var admin = await DashboardClient.SetUpAdminAsync(server);

        for (var i = 0; i < 3; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(20));
            await admin.PageAsync("/");
        }

        clock.Advance(TimeSpan.FromMinutes(31));
        var idle = await admin.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, idle.StatusCode);
        Assert.StartsWith("/login", idle.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_password_a_new_role_or_deletion_ends_the_users_sessions_and_api_tokens()
    {
        await using var server = await TestServer.StartAsync();
        (await DashboardClient.SetUpAdminAsync(server)).Dispose();
        var catalog = server.Host.Services.GetRequiredService<ServerCatalog>();
        await Users.AddAsync(server, "second", DashboardAuth.AdminRole);

        async Task<(DashboardClient Page, HttpClient Api)> SignInBothAsync()
        {
            var page = new DashboardClient(server);
            Assert.Equal(HttpStatusCode.Redirect, (await page.SignInAsync("second", TestServer.AdminPassword)).StatusCode);
            return (page, server.Client(await TestServer.LoginAsync(server.Client(), "second", TestServer.AdminPassword)));
        }

        async Task AssertEndedAsync(DashboardClient page, HttpClient api)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await page.GetAsync("/")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync(Routes.Pcs, Ct)).StatusCode);
            page.Dispose();
        }

        var (page, api) = await SignInBothAsync();
        Assert.True(await catalog.SetPasswordAsync("second", server.Host.Services.GetRequiredService<Security.PasswordHasher>().Hash(TestServer.AdminPassword), Ct));
        await AssertEndedAsync(page, api);

        (page, api) = await SignInBothAsync();
        Assert.True(await catalog.SetRoleAsync("second", DashboardAuth.RestoreRole, Ct));
        await AssertEndedAsync(page, api);

        page = new DashboardClient(server);
        await page.SignInAsync("second", TestServer.AdminPassword);
        await page.PageAsync("/");
        Assert.True(await catalog.DeleteUserAsync("second", Ct));
        await AssertEndedAsync(page, server.Client());

        // The last administrator can be neither demoted nor deleted.
        Assert.False(await catalog.SetRoleAsync("admin", DashboardAuth.RestoreRole, Ct));
        Assert.False(await catalog.DeleteUserAsync("admin", Ct));
        Assert.Equal(DashboardAuth.AdminRole, (await Users.GetAsync(server, "admin"))!.Role);
    }
}
