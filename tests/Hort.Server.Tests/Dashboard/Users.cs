using Hort.Server.Catalog;
using Hort.Server.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>Sets up users straight in a test server's catalog, the way the Users page stores them.</summary>
internal static class Users
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task AddAsync(TestServer server, string username, string role, string password = TestServer.AdminPassword)
    {
        var services = server.Host.Services;
        var hash = services.GetRequiredService<PasswordHasher>().Hash(password);
        Assert.True(await services.GetRequiredService<ServerCatalog>().AddUserAsync(username, hash, role, DateTimeOffset.UnixEpoch, Ct));
    }

    /// <summary>Turns two-factor sign-in on for <paramref name="username"/>; returns the secret.</summary>
    public static async Task<byte[]> EnableTotpAsync(TestServer server, string username)
    {
        var services = server.Host.Services;
        var secret = Totp.NewSecret();
        Assert.True(await services.GetRequiredService<ServerCatalog>().SetTotpSecretAsync(username, services.GetRequiredService<TotpSecrets>().Protect(secret), Ct));
        return secret;
    }

    /// <summary>The code an authenticator app shows now, on the server's clock, <paramref name="stepsAhead"/> steps on.</summary>
    public static string Code(TestServer server, byte[] secret, int stepsAhead = 0) =>
        Totp.Code(secret, Totp.StepAt(server.Host.Services.GetRequiredService<TimeProvider>().GetUtcNow()) + stepsAhead);

    public static Task<UserRecord?> GetAsync(TestServer server, string username) =>
        server.Host.Services.GetRequiredService<ServerCatalog>().GetUserAsync(username, Ct);
}
