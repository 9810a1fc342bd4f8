using System.Net;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>Policies and Add a PC are for administrators: a restore-only user can neither open them nor post to them.</summary>
public sealed class AdminPageRefusalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/policies", "CreateGroup", "Name")]
    [InlineData("/add-pc", "Create", "PcName")]
    public async Task A_restore_only_user_is_sent_to_the_denied_page_and_changes_nothing(string path, string handler, string field)
    {
        await using var server = await TestServer.StartAsync();
        (await DashboardClient.SetUpAdminAsync(server)).Dispose();
        await Users.AddAsync(server, "clerk", DashboardAuth.RestoreRole);
        using var clerk = new DashboardClient(server);
        Assert.Equal(HttpStatusCode.Redirect, (await clerk.SignInAsync("clerk", TestServer.AdminPassword)).StatusCode);

        var get = await clerk.GetAsync(path);
        Assert.Equal(HttpStatusCode.Redirect, get.StatusCode);
        Assert.StartsWith("/denied", get.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.DoesNotContain(path, (await clerk.PageAsync("/")).QuerySelector("header nav")!.InnerHtml, StringComparison.Ordinal);

        // A valid antiforgery token of the clerk's own (from the overview) does not open the page's actions either.
        var token = await clerk.AntiforgeryTokenAsync("/");
        var post = await clerk.PostAsync($"{path}?handler={handler}", [new("__RequestVerificationToken", token), new(field, "Sneaky")]);
        Assert.Equal(HttpStatusCode.Redirect, post.StatusCode);
        Assert.StartsWith("/denied", post.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        var catalog = server.Host.Services.GetRequiredService<ServerCatalog>();
        Assert.Empty(await catalog.ListGroupsAsync(Ct));
        Assert.Empty(await catalog.ListEnrollmentCodesAsync(DateTimeOffset.UtcNow, Ct));
    }
}
