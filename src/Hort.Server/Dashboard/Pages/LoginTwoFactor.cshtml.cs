using Hort.Server.Dashboard.Auth;
using Hort.Server.Dashboard.Text;
using Hort.Server.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>The second sign-in step: the code from the authenticator app, after the password was right. No session exists until the code is.</summary>
internal sealed class LoginTwoFactorModel(SignInChecks checks, PageText text) : PageModel
{
    [BindProperty]
    public string? Code { get; set; }

    public string? Error { get; private set; }

    /// <summary>False once the half-done sign-in is over (locked): the user starts again on the login page.</summary>
    public bool CanRetry { get; private set; } = true;

    public IActionResult OnGet() => DashboardAuth.SecondStep(HttpContext) is null ? RedirectToPage("/Login") : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (DashboardAuth.SecondStep(HttpContext) is not var (username, returnUrl)) return RedirectToPage("/Login");
        var outcome = await checks.CheckCodeAsync(HttpContext.Connection.RemoteIpAddress, username, Code, ct).ConfigureAwait(false);
        if (outcome.Succeeded)
        {
            DashboardAuth.EndSecondStep(HttpContext);
            await DashboardAuth.SignInAsync(HttpContext, username, outcome.Role!).ConfigureAwait(false);
            return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
        }

        if (outcome.Refusal is SignInRefusal.Locked or SignInRefusal.WrongCredentials)
        {
            DashboardAuth.EndSecondStep(HttpContext);
            CanRetry = false;
        }

        Error = AuthMessages.Describe(text, outcome);
        Response.StatusCode = AuthMessages.StatusCode(outcome);
        return Page();
    }
}
