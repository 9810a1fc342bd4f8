using Hort.Server.Catalog;
using Hort.Server.Dashboard.Auth;
using Hort.Server.Dashboard.Text;
using Hort.Server.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>Signing in with user name and password.</summary>
internal sealed class LoginModel(ServerCatalog catalog, SignInChecks checks, PageText text) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        await catalog.CountAdminsAsync(ct).ConfigureAwait(false) == 0 ? RedirectToPage("/Setup") : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var outcome = await checks.CheckPasswordAsync(HttpContext.Connection.RemoteIpAddress, Username, Password, ct).ConfigureAwait(false);
        var returnUrl = Url.IsLocalUrl(ReturnUrl) && !ReturnUrl.Contains('\n', StringComparison.Ordinal) ? ReturnUrl : "/";
        if (outcome.Refusal == SignInRefusal.CodeRequired)
        {
            DashboardAuth.BeginSecondStep(HttpContext, Username!, returnUrl);
            return RedirectToPage("/LoginTwoFactor");
        }

        if (!outcome.Succeeded)
        {
            Error = AuthMessages.Describe(text, outcome);
            Response.StatusCode = AuthMessages.StatusCode(outcome);
            Password = null;
            return Page();
        }

        await DashboardAuth.SignInAsync(HttpContext, Username!, outcome.Role!).ConfigureAwait(false);
        return LocalRedirect(returnUrl);
    }
}
