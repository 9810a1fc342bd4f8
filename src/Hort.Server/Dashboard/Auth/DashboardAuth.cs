using System.Security.Claims;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Hosting;
using Hort.Server.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Hort.Server.Dashboard.Auth;

/// <summary>
/// The dashboard's sign-in: an authentication cookie that carries the hash of a server-side session kept in the
/// catalog, so that signing out, deleting the user or leaving the browser idle ends the session on the server too.
/// </summary>
public static class DashboardAuth
{
    public const string Scheme = "HortSession";
    public const string CookieName = "__Host-hort-session";

    /// <summary>Any signed-in user (administrator or restore-only).</summary>
    public const string UserPolicy = "dashboard-user";

    /// <summary>Administrators only.</summary>
    public const string AdminPolicy = "dashboard-admin";

    public const string RoleClaim = "hort:role";
    public const string SessionClaim = "hort:session";

    public const string AdminRole = UserRoles.Admin;
    public const string RestoreRole = UserRoles.Restore;

    /// <summary>The half-done sign-in between the password and the two-factor code (protected, minutes long, no session).</summary>
    public const string SecondStepCookie = "__Host-hort-2fa";

    public const string SecondStepPurpose = "login-second-step";

    /// <summary>The signed-in user's role, or null.</summary>
    public static string? Role(this ClaimsPrincipal user) => user.FindFirstValue(RoleClaim);

    public static bool IsAdmin(this ClaimsPrincipal user) => user.Role() == AdminRole;

    internal static void AddDashboardAuthentication(this IServiceCollection services, AuthenticationBuilder authentication)
    {
        authentication.AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = CookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.Path = "/";
            cookie.LoginPath = "/login";
            cookie.LogoutPath = "/logout";
            cookie.AccessDeniedPath = "/denied";
            cookie.ReturnUrlParameter = "returnUrl";
            // The catalog session expires when idle; the cookie itself lasts at most a working day.
            cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
            cookie.SlidingExpiration = false;
            cookie.Events.OnValidatePrincipal = ValidateSessionAsync;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(UserPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireClaim(RoleClaim, AdminRole, RestoreRole))
            .AddPolicy(AdminPolicy, p => p.AddAuthenticationSchemes(Scheme).RequireClaim(RoleClaim, AdminRole));
    }

    /// <summary>Starts a catalog session for <paramref name="username"/> and sets the cookie.</summary>
    public static async Task SignInAsync(HttpContext context, string username, string role)
    {
        var services = context.RequestServices;
        var catalog = services.GetRequiredService<ServerCatalog>();
        var options = services.GetRequiredService<HortdOptions>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var hash = Credentials.Hash(Credentials.NewAdminToken());
        await catalog.AddAdminTokenAsync(hash, username, now.AddMinutes(options.DashboardSessionMinutes), context.RequestAborted).ConfigureAwait(false);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, username), new Claim(RoleClaim, role), new Claim(SessionClaim, hash)], Scheme);
        await context.SignInAsync(Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false }).ConfigureAwait(false);
    }

    /// <summary>Remembers that <paramref name="username"/> gave the right password; the code page finishes the sign-in.</summary>
    public static void BeginSecondStep(HttpContext context, string username, string returnUrl)
    {
        var secrets = context.RequestServices.GetRequiredService<TotpSecrets>();
        context.Response.Cookies.Append(SecondStepCookie, secrets.ProtectPending(SecondStepPurpose, TotpSecrets.SecondStepLifetime, username, returnUrl),
            new CookieOptions { Path = "/", Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, MaxAge = TotpSecrets.SecondStepLifetime, IsEssential = true });
    }

    /// <summary>The user name and return URL of a half-done sign-in, or null when there is none or it expired.</summary>
    public static (string Username, string ReturnUrl)? SecondStep(HttpContext context)
    {
        var secrets = context.RequestServices.GetRequiredService<TotpSecrets>();
        return secrets.UnprotectPending(SecondStepPurpose, context.Request.Cookies[SecondStepCookie]) is [var username, var returnUrl]
            ? (username, returnUrl)
            : null;
    }

    public static void EndSecondStep(HttpContext context) =>
        context.Response.Cookies.Delete(SecondStepCookie, new CookieOptions { Path = "/", Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict });

    /// <summary>Ends the catalog session and clears the cookie.</summary>
    public static async Task SignOutAsync(HttpContext context)
    {
        if (context.User.FindFirstValue(SessionClaim) is { } hash)
        {
            var catalog = context.RequestServices.GetRequiredService<ServerCatalog>();
            var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            await catalog.DeleteAdminTokenAsync(hash, now, context.RequestAborted).ConfigureAwait(false);
        }

        await context.SignOutAsync(Scheme).ConfigureAwait(false);
    }

    /// <summary>A cookie is only good while its catalog session lives; each use extends the idle timeout.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var catalog = services.GetRequiredService<ServerCatalog>();
        var options = services.GetRequiredService<HortdOptions>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var hash = context.Principal?.FindFirstValue(SessionClaim);
        var session = hash is null
            ? null
            : await catalog.UseAdminTokenAsync(hash, now, now.AddMinutes(options.DashboardSessionMinutes), context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (session is null || session.Username != context.Principal!.Identity?.Name)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme).ConfigureAwait(false);
        }
    }
}
