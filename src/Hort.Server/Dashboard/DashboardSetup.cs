using System.Globalization;
using Hort.Server.Dashboard.Auth;
using Hort.Server.Dashboard.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.FileProviders;

namespace Hort.Server.Dashboard;

/// <summary>Wires the web dashboard (Razor Pages under <c>Dashboard/Pages</c>) into hortd beside the JSON API.</summary>
internal static class DashboardSetup
{
    /// <summary>The cookie that keeps the language the user chose.</summary>
    public const string LanguageCookie = "hort-lang";

    public const string StaticPath = "/static";

    public static void AddDashboard(this IServiceCollection services, AuthenticationBuilder authentication)
    {
        services.AddSingleton<PageText>();
        services.AddSingleton<Health.HealthSettings>();
        services.AddSingleton<Health.StoredSizes>();
        services.AddSingleton<Health.HealthReports>();
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/Dashboard/Pages";
            pages.Conventions.AuthorizeFolder("/", DashboardAuth.UserPolicy);
            pages.Conventions.AllowAnonymousToPage("/Login");
            pages.Conventions.AllowAnonymousToPage("/LoginTwoFactor");
            pages.Conventions.AllowAnonymousToPage("/Setup");
            pages.Conventions.AllowAnonymousToPage("/Denied");
        });
        services.AddDashboardAuthentication(authentication);
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "__Host-hort-csrf";
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
        });
    }

    /// <summary>Middleware that must run before authentication: language and security headers.</summary>
    public static void UseDashboard(this WebApplication app)
    {
        var cultures = PageText.Languages.Select(CultureInfo.GetCultureInfo).ToList();
        var localization = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("en"),
            SupportedCultures = cultures,
            SupportedUICultures = cultures,
            FallBackToParentCultures = true,
            FallBackToParentUICultures = true,
        };
        localization.RequestCultureProviders =
        [
            new CookieRequestCultureProvider { CookieName = LanguageCookie },
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
        app.UseRequestLocalization(localization);
        app.Use(static (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments("/api", StringComparison.Ordinal))
            {
                var headers = context.Response.Headers;
                // No inline script or style anywhere in the dashboard; images may be inline SVG or data: (QR codes).
                headers.ContentSecurityPolicy =
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; " +
                    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "same-origin";
            }

            return next(context);
        });
        var assets = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(assets))
        {
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(assets), RequestPath = StaticPath });
        }
    }

    /// <summary>Endpoints of the dashboard: the pages and the language switch.</summary>
    public static void MapDashboard(this WebApplication app)
    {
        app.MapRazorPages();
        app.MapGet("/language/{code}", static (string code, string? returnUrl, HttpContext context) =>
        {
            if (!PageText.Languages.Contains(code)) return Results.NotFound();
            context.Response.Cookies.Append(LanguageCookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(code)),
                new CookieOptions { Path = "/", Secure = true, HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365), IsEssential = true });
            // Only a path on this site, never another host.
            var back = returnUrl is { Length: > 0 } r && r.StartsWith('/') && !r.StartsWith("//", StringComparison.Ordinal) && !r.StartsWith("/\\", StringComparison.Ordinal) ? r : "/";
            return Results.LocalRedirect(back);
        }).AllowAnonymous().ExcludeFromDescription();
    }
}
