using Hort.Server.Catalog;
using Hort.Server.Security;

namespace Hort.Server.Tests;

/// <summary>Dashboard users in the catalog (roles, two-factor steps, lockout) and their restore from the server state, on SQLite and PostgreSQL.</summary>
[Trait("Category", "Catalog")]
public sealed class UserCatalogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Providers() => CatalogTests.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Roles_keep_one_administrator_codes_are_used_once_and_failures_lock(string provider)
    {
        var (options, cleanup) = await CatalogTests.FreshAsync(provider);
        try
        {
            await using var catalog = await ServerCatalog.OpenAsync(options, Ct);
            var now = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
            Assert.True(await catalog.AddFirstAdminAsync("admin", "h1", now, Ct));
            Assert.True(await catalog.AddUserAsync("clerk", "h2", UserRoles.Restore, now, Ct));
            Assert.False(await catalog.AddUserAsync("clerk", "h3", UserRoles.Admin, now, Ct));
            Assert.Equal([("admin", "admin"), ("clerk", "restore")], (await catalog.ListUsersAsync(Ct)).Select(u => (u.Username, u.Role)));

            // One administrator must remain; a second one lets the first go.
            Assert.False(await catalog.SetRoleAsync("admin", UserRoles.Restore, Ct));
            Assert.False(await catalog.DeleteUserAsync("admin", Ct));
            Assert.True(await catalog.SetRoleAsync("clerk", UserRoles.Admin, Ct));
            Assert.False(await catalog.SetRoleAsync("clerk", UserRoles.Admin, Ct));
            Assert.True(await catalog.SetRoleAsync("admin", UserRoles.Restore, Ct));
            Assert.False(await catalog.DeleteUserAsync("clerk", Ct));
            Assert.True(await catalog.DeleteUserAsync("admin", Ct));
            Assert.False(await catalog.DeleteUserAsync("admin", Ct));

            Assert.True(await catalog.SetTotpSecretAsync("clerk", "protected", Ct));
            Assert.True(await catalog.UseTotpStepAsync("clerk", 100, Ct));
            Assert.False(await catalog.UseTotpStepAsync("clerk", 100, Ct));
            Assert.False(await catalog.UseTotpStepAsync("clerk", 99, Ct));
            Assert.True(await catalog.UseTotpStepAsync("clerk", 101, Ct));
            var user = (await catalog.GetUserAsync("clerk", Ct))!;
            Assert.Equal(("protected", 101L), (user.TotpSecret, user.TotpLastStep));
            Assert.True(await catalog.SetTotpSecretAsync("clerk", null, Ct));
            Assert.False((await catalog.GetUserAsync("clerk", Ct))!.HasTotp);

            var until = now.AddMinutes(15);
            Assert.False(await catalog.RecordSignInFailureAsync("clerk", 2, until, Ct));
            Assert.Equal(1, (await catalog.GetUserAsync("clerk", Ct))!.FailedAttempts);
            Assert.True(await catalog.RecordSignInFailureAsync("clerk", 2, until, Ct));
            user = (await catalog.GetUserAsync("clerk", Ct))!;
            Assert.Equal((0, until), (user.FailedAttempts, user.LockedUntil));
            await catalog.ResetSignInFailuresAsync("clerk", Ct);
            Assert.Null((await catalog.GetUserAsync("clerk", Ct))!.LockedUntil);
            Assert.True(await catalog.RecordSignInFailureAsync("clerk", 1, until, Ct));
            Assert.True(await catalog.SetPasswordAsync("clerk", "h4", Ct));
            user = (await catalog.GetUserAsync("clerk", Ct))!;
            Assert.Equal(("h4", (DateTimeOffset?)null), (user.PasswordHash, user.LockedUntil));
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_server_state_brings_back_roles_and_two_factor_secrets(string provider)
    {
        var (options, cleanup) = await CatalogTests.FreshAsync(provider);
        try
        {
            await using var catalog = await ServerCatalog.OpenAsync(options, Ct);
            var secrets = TotpSecrets.ForDataFolder(options.DataDirectory, TimeProvider.System);
            var secret = Totp.NewSecret();
            var document = new ServerStateDocument(ServerStateStore.Version, 1, DateTimeOffset.UnixEpoch,
                [
                    new AdminState("old", "h0", DateTimeOffset.UnixEpoch),
                    new AdminState("anna", "h1", DateTimeOffset.UnixEpoch, UserRoles.Restore, Base32.Encode(secret)),
                ], [], []);
            await ServerStateStore.RestoreAsync(document, catalog, secrets, Ct);

            var old = (await catalog.GetUserAsync("old", Ct))!;
            Assert.Equal((UserRoles.Admin, false), (old.Role, old.HasTotp));
            var anna = (await catalog.GetUserAsync("anna", Ct))!;
            Assert.Equal(UserRoles.Restore, anna.Role);
            Assert.DoesNotContain(Base32.Encode(secret), anna.TotpSecret!, StringComparison.Ordinal);
            Assert.Equal(secret, secrets.Unprotect(anna.TotpSecret!));
        }
        finally
        {
            await cleanup();
        }
    }
}
