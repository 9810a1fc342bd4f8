using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Hort.Server.Dashboard.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Razor.Hosting;

namespace Hort.Server.Tests.Dashboard;

/// <summary>Every page whose model demands the admin policy keeps restore-only users out, found by reflection so new pages are covered.</summary>
public sealed partial class AdminPagesTests
{
    /// <summary>Each compiled Razor page's route and model type.</summary>
    private static IEnumerable<(string Route, Type Model)> Pages()
    {
        var assembly = typeof(DashboardAuth).Assembly;
        foreach (var item in assembly.GetCustomAttributes<RazorCompiledItemAttribute>().Where(i => i.Kind == "mvc.1.0.razor-page"))
        {
            var route = item.Type.GetCustomAttributes<RazorCompiledItemMetadataAttribute>().FirstOrDefault(m => m.Key == "RouteTemplate")?.Value;
            var model = item.Type.GetProperty("Model")?.PropertyType;
            if (route is not null && model is not null) yield return (route, model);
        }
    }

    public static TheoryData<string> AdminRoutes()
    {
        var routes = Pages()
            .Where(p => p.Model.GetCustomAttributes<AuthorizeAttribute>(inherit: true).Any(a => a.Policy == DashboardAuth.AdminPolicy))
            .Select(p => RouteParameter().Replace(p.Route, "x"))
            .Order(StringComparer.Ordinal);
        return [.. routes];
    }

    [Fact]
    public void The_admin_pages_are_found()
    {
        Assert.Contains("/users", AdminRoutes().Select(r => r.Data));
        Assert.DoesNotContain("/account", AdminRoutes().Select(r => r.Data));
    }

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task A_restore_only_user_is_sent_to_denied(string route)
    {
        await using var server = await TestServer.StartAsync();
        (await DashboardClient.SetUpAdminAsync(server)).Dispose();
        await Users.AddAsync(server, "clerk", DashboardAuth.RestoreRole);
        using var clerk = new DashboardClient(server);
        Assert.Equal(HttpStatusCode.Redirect, (await clerk.SignInAsync("clerk", TestServer.AdminPassword)).StatusCode);
        var token = await clerk.AntiforgeryTokenAsync("/account");

        foreach (var response in new[] { await clerk.GetAsync(route), await clerk.PostAsync(route, [new("__RequestVerificationToken", token)]) })
        {
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{response.RequestMessage!.Method} {route}: {(int)response.StatusCode}");
            Assert.Equal("/denied", new Uri(server.Host.Address, response.Headers.Location!).AbsolutePath);
        }
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();
}
