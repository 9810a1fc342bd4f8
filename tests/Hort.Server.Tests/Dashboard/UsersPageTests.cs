using System.Net;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>The Users page: add, change role, set password, remove two-factor, delete; each audited and each ending the user's sessions where it must.</summary>
public sealed class UsersPageTests
{
    private const string ClerkPassword = "the clerk's own passphrase";

    private static string Row(string user) => $"tr[data-user='{user}']";

    private static async Task<IReadOnlyList<Protocol.AuditEntryDto>> AuditAsync(TestServer server) =>
        await server.Host.Services.GetRequiredService<ServerCatalog>().ListAuditAsync(100, TestContext.Current.CancellationToken);

    [Fact]
    public async Task An_administrator_adds_a_restore_only_user_changes_them_and_deletes_them()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = await DashboardClient.SetUpAdminAsync(server);

        var added = await admin.SubmitAsync("/users", new() { ["Username"] = "clerk", ["Role"] = "restore", ["Password"] = ClerkPassword }, "#user-add");
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        var page = await admin.PageAsync(added.Headers.Location!.OriginalString);
        Assert.Contains("clerk was added", page.QuerySelector("[role=status]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("Restore only", page.QuerySelector(Row("clerk") + " .role")!.TextContent);
        Assert.Equal("Off", page.QuerySelector(Row("clerk") + " .totp")!.TextContent.Trim());
        Assert.Null(page.QuerySelector(Row("admin") + " .delete-form"));
        var taken = await admin.SubmitAsync("/users", new() { ["Username"] = "clerk", ["Role"] = "admin", ["Password"] = ClerkPassword }, "#user-add");
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        var weak = await admin.SubmitAsync("/users", new() { ["Username"] = "other", ["Role"] = "admin", ["Password"] = "short" }, "#user-add");
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);

        // The restore-only user signs in and is kept out of this page.
        using var clerk = new DashboardClient(server);
        Assert.Equal(HttpStatusCode.Redirect, (await clerk.SignInAsync("clerk", ClerkPassword)).StatusCode);
        var denied = await clerk.GetAsync("/users");
        Assert.Equal(HttpStatusCode.Redirect, denied.StatusCode);
        Assert.Equal("/denied", new Uri(server.Host.Address, denied.Headers.Location!).AbsolutePath);
        Assert.DoesNotContain((await clerk.PageAsync("/")).QuerySelectorAll("header nav a"), a => a.GetAttribute("href") == "/users");

        // A new role ends their session.
        var role = await admin.SubmitAsync("/users", new() { ["Role"] = "admin" }, Row("clerk") + " .role-form");
        Assert.Equal(HttpStatusCode.Redirect, role.StatusCode);
        Assert.Equal(DashboardAuth.AdminRole, (await Users.GetAsync(server, "clerk"))!.Role);
        Assert.Equal(HttpStatusCode.Redirect, (await clerk.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clerk.SignInAsync("clerk", ClerkPassword)).StatusCode);
        await clerk.PageAsync("/users");

        // A new password (e.g. forgotten, or after a lockout) ends it too and lifts the lockout.
        await server.Host.Services.GetRequiredService<ServerCatalog>().RecordSignInFailureAsync("clerk", 1, DateTimeOffset.UtcNow.AddHours(1), TestContext.Current.CancellationToken);
        Assert.NotNull((await admin.PageAsync("/users")).QuerySelector(Row("clerk") + " .state.red"));
        const string next = "a fresh passphrase for clerk";
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/users", new() { ["Password"] = next }, Row("clerk") + " .password-form")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clerk.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await clerk.SignInAsync("clerk", next)).StatusCode);

        // A lost phone: the administrator removes two-factor.
        await Users.EnableTotpAsync(server, "clerk");
        page = await admin.PageAsync("/users");
        Assert.Equal("On", page.QuerySelector(Row("clerk") + " .totp")!.TextContent.Trim());
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/users", [], Row("clerk") + " .totp-form")).StatusCode);
        Assert.False((await Users.GetAsync(server, "clerk"))!.HasTotp);

        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/users", [], Row("clerk") + " .delete-form")).StatusCode);
        Assert.Null(await Users.GetAsync(server, "clerk"));
        Assert.Equal(HttpStatusCode.Redirect, (await clerk.GetAsync("/")).StatusCode);

        var actions = (await AuditAsync(server)).Where(e => e.Target.StartsWith("user clerk", StringComparison.Ordinal)).Select(e => e.Action).ToHashSet();
        Assert.Superset(new HashSet<string> { "user-add", "user-role", "user-password", "user-remove-2fa", "user-delete" }, actions);
    }

    [Fact]
    public async Task Roles_and_second_factors_are_mirrored_into_the_repositorys_server_state()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = await DashboardClient.SetUpAdminAsync(server);
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/users", new() { ["Username"] = "clerk", ["Role"] = "restore", ["Password"] = ClerkPassword }, "#user-add")).StatusCode);
        var secret = await Users.EnableTotpAsync(server, "admin");
        // Any audited change writes the state document anew.
        Assert.Equal(HttpStatusCode.Redirect, (await admin.SubmitAsync("/users", new() { ["Password"] = ClerkPassword + "!" }, Row("clerk") + " .password-form")).StatusCode);

        var repository = server.Host.Services.GetRequiredService<Repository.HortRepository>();
        var state = (await ServerStateStore.LoadNewestAsync(repository, TestContext.Current.CancellationToken))!;
        var users = state.Admins.ToDictionary(a => a.Username);
        Assert.Equal((DashboardAuth.AdminRole, Security.Base32.Encode(secret)), (users["admin"].Role, users["admin"].TotpSecret));
        Assert.Equal((DashboardAuth.RestoreRole, (string?)null), (users["clerk"].Role, users["clerk"].TotpSecret));
        Assert.Equal((await Users.GetAsync(server, "clerk"))!.PasswordHash, users["clerk"].PasswordHash);
    }

    [Fact]
    public async Task Nobody_deletes_or_demotes_themselves_and_the_last_administrator_stays()
    {
        await using var server = await TestServer.StartAsync();
        using var admin = await DashboardClient.SetUpAdminAsync(server);
        await Users.AddAsync(server, "boss", DashboardAuth.AdminRole);
        using var boss = new DashboardClient(server);
        await boss.SignInAsync("boss", TestServer.AdminPassword);

        // The page offers no such buttons; a hand-made post naming oneself is refused.
        var self = await admin.SubmitAsync("/users", new() { ["Username"] = "admin" }, Row("boss") + " .delete-form");
        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        var demote = await admin.SubmitAsync("/users", new() { ["Username"] = "admin", ["Role"] = "restore" }, Row("boss") + " .role-form");
        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        Assert.Equal(DashboardAuth.AdminRole, (await Users.GetAsync(server, "admin"))!.Role);

        // boss demotes admin, then admin (now restore-only) is out; boss is the last administrator.
        Assert.Equal(HttpStatusCode.Redirect, (await boss.SubmitAsync("/users", new() { ["Role"] = "restore" }, Row("admin") + " .role-form")).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await admin.GetAsync("/users")).StatusCode);
        var last = await boss.SubmitAsync("/users", new() { ["Username"] = "boss" }, Row("admin") + " .delete-form");
        Assert.Equal(HttpStatusCode.Conflict, last.StatusCode);
        Assert.NotNull(await Users.GetAsync(server, "boss"));
    }
}
