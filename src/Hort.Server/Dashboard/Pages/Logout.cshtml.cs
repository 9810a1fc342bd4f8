using Hort.Server.Dashboard.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>Signing out: a POST (with its antiforgery token) ends the session on the server and clears the cookie.</summary>
[AllowAnonymous]
internal sealed class LogoutModel : PageModel
{
    public IActionResult OnGet() => Redirect("/");

    public async Task<IActionResult> OnPostAsync()
    {
        await DashboardAuth.SignOutAsync(HttpContext).ConfigureAwait(false);
        return RedirectToPage("/Login");
    }
}
