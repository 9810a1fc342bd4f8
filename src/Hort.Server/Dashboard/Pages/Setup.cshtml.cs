using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Auth;
using Hort.Server.Dashboard.Text;
using Hort.Server.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>First start: the administrator chooses a name and password with the one-time code hortd printed.</summary>
internal sealed class SetupModel(ServerCatalog catalog, SignInChecks checks, AuditLog audit, PageText text) : PageModel
{
    [BindProperty]
    public string? SetupCode { get; set; }

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public string? Confirm { get; set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        await catalog.CountAdminsAsync(ct).ConfigureAwait(false) > 0 ? RedirectToPage("/Login") : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Password != Confirm)
        {
            Error = text["auth.passwordsDiffer"];
            return Page();
        }

        var outcome = await checks.SetupFirstAdminAsync(HttpContext.Connection.RemoteIpAddress, SetupCode, Username, Password, ct).ConfigureAwait(false);
        switch (outcome.Refusal)
        {
            case SignInRefusal.None:
                await audit.RecordAsync(HttpContext, Username!, "setup", "admin " + Username).ConfigureAwait(false);
                await DashboardAuth.SignInAsync(HttpContext, Username!, DashboardAuth.AdminRole).ConfigureAwait(false);
                return Redirect("/");
            case SignInRefusal.AdminExists:
                return RedirectToPage("/Login");
            default:
                Error = AuthMessages.Describe(text, outcome);
                Response.StatusCode = AuthMessages.StatusCode(outcome);
                return Page();
        }
    }
}
