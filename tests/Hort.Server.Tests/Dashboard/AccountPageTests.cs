using System.Net;
using Hort.Server.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>The Account page: two-factor enrollment with a QR code, removing it, and changing one's own password.</summary>
public sealed class AccountPageTests
{
    [Fact]
    public async Task Two_factor_is_on_only_after_a_right_code_then_sign_in_asks_for_it_and_the_password_turns_it_off()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        await using var server = await TestServer.StartAsync(time: clock);
        using var admin = await DashboardClient.SetUpAdminAsync(server);
        var account = await admin.PageAsync("/account");
        Assert.NotNull(account.QuerySelector("#totp-setup"));

        var setup = await admin.PageAsync("/account?handler=Setup");
        var shown = setup.QuerySelector("[data-totp-secret]")!;
        var text = shown.GetAttribute("data-totp-secret")!;
        Assert.Equal(text, shown.TextContent);
        var secret = Base32.Decode(text)!;
        Assert.Equal(Totp.SecretBytes, secret.Length);
        Assert.Equal($"otpauth://totp/Hort:admin?secret={text}&issuer=Hort", setup.QuerySelector("a[href^='otpauth:']")!.GetAttribute("href"));
        var qr = setup.QuerySelector("svg.qr")!;
        Assert.Equal("img", qr.GetAttribute("role"));
        Assert.StartsWith("M", qr.QuerySelector("path")!.GetAttribute("d"), StringComparison.Ordinal);
        Assert.NotNull(setup.QuerySelector("#totp-confirm input[name=Code]"));

        // A wrong code leaves it off and shows the same secret again.
        var wrong = await admin.SubmitAsync(setup, "/account", new() { ["Code"] = Users.Code(server, secret, stepsAhead: 5) }, "#totp-confirm");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var again = await DashboardClient.ParseAsync(wrong);
        Assert.Equal(text, again.QuerySelector("[data-totp-secret]")!.GetAttribute("data-totp-secret"));
        Assert.False((await Users.GetAsync(server, "admin"))!.HasTotp);

        var code = Users.Code(server, secret);
        var right = await admin.SubmitAsync(again, "/account", new() { ["Code"] = code }, "#totp-confirm");
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        var stored = (await Users.GetAsync(server, "admin"))!;
        Assert.True(stored.HasTotp);
        Assert.DoesNotContain(text, stored.TotpSecret!, StringComparison.Ordinal);
        Assert.NotNull((await admin.PageAsync(right.Headers.Location!.OriginalString)).QuerySelector("#totp-disable"));

        // Signing in now takes a code; the one used for enrollment is spent.
        using var later = new DashboardClient(server);
        Assert.Equal("/login/2fa", (await later.SignInAsync("admin", DashboardClient.Password)).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await later.SubmitAsync("/login/2fa", new() { ["Code"] = code })).StatusCode);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.Redirect, (await later.SubmitAsync("/login/2fa", new() { ["Code"] = Users.Code(server, secret) })).StatusCode);

        var badPassword = await later.SubmitAsync("/account", new() { ["Password"] = "not my password at all" }, "#totp-disable");
        Assert.Equal(HttpStatusCode.Unauthorized, badPassword.StatusCode);
        Assert.True((await Users.GetAsync(server, "admin"))!.HasTotp);
        var off = await later.SubmitAsync("/account", new() { ["Password"] = DashboardClient.Password }, "#totp-disable");
        Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        Assert.False((await Users.GetAsync(server, "admin"))!.HasTotp);
        using var plain = new DashboardClient(server);
        Assert.Equal("/", (await plain.SignInAsync("admin", DashboardClient.Password)).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Changing_the_own_password_needs_the_current_one_and_ends_every_other_session()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = await DashboardClient.SetUpAdminAsync(server);
        using var other = new DashboardClient(server);
        await other.SignInAsync("admin", DashboardClient.Password);
        await other.PageAsync("/");
        const string next = "a new and longer passphrase";

        var wrong = await admin.SubmitAsync("/account", new() { ["CurrentPassword"] = "wrong wrong wrong", ["NewPassword"] = next, ["Confirm"] = next }, "#password-change");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("The password is wrong.", (await DashboardClient.ParseAsync(wrong)).QuerySelector("[role=alert]")!.TextContent);
        var differ = await admin.SubmitAsync("/account", new() { ["CurrentPassword"] = DashboardClient.Password, ["NewPassword"] = next, ["Confirm"] = next + "!" }, "#password-change");
        Assert.Equal(HttpStatusCode.BadRequest, differ.StatusCode);
        var tooShort = await admin.SubmitAsync("/account", new() { ["CurrentPassword"] = DashboardClient.Password, ["NewPassword"] = "short", ["Confirm"] = "short" }, "#password-change");
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);

        var changed = await admin.SubmitAsync("/account", new() { ["CurrentPassword"] = DashboardClient.Password, ["NewPassword"] = next, ["Confirm"] = next }, "#password-change");
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        var page = await admin.PageAsync(changed.Headers.Location!.OriginalString);
        Assert.Contains("password was changed", page.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await other.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await new DashboardClient(server).SignInAsync("admin", DashboardClient.Password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await new DashboardClient(server).SignInAsync("admin", next)).StatusCode);
        Assert.Contains((await server.Host.Services.GetRequiredService<Catalog.ServerCatalog>().ListAuditAsync(10, TestContext.Current.CancellationToken)),
            e => e.Action == "change-password" && e.Admin == "admin");
    }
}
