using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Auth;
using Hort.Server.Dashboard.Text;
using Hort.Server.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>Administrators manage the dashboard's users: add, change role, reset password, remove two-factor, delete.</summary>
[Authorize(Policy = DashboardAuth.AdminPolicy)]
internal sealed class UsersModel(UserAccounts accounts, AuditLog audit, PageText text, TimeProvider time) : PageModel
{
    /// <summary>The user a row's form acts on, or the new user's name.</summary>
    [BindProperty]
    public string? Username { get; set; }

    [BindProperty]
    public string? Role { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Done { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Who { get; set; }

    public IReadOnlyList<UserRecord> All { get; private set; } = [];

    public string? Error { get; private set; }

    public string Me => User.Identity!.Name!;

    public DateTimeOffset Now => time.GetUtcNow();

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => ShowAsync(ct);

    public Task<IActionResult> OnPostAddAsync(CancellationToken ct) =>
        ChangeAsync(accounts.AddAsync(Username ?? "", Role, Password, ct), "user-add", $"user {Username} role {Role}", "added", ct);

    public Task<IActionResult> OnPostRoleAsync(CancellationToken ct) =>
        ChangeAsync(accounts.SetRoleAsync(Me, Username ?? "", Role, ct), "user-role", $"user {Username} role {Role}", "role", ct);

    public Task<IActionResult> OnPostPasswordAsync(CancellationToken ct) =>
        ChangeAsync(accounts.ResetPasswordAsync(Me, Username ?? "", Password, ct), "user-password", "user " + Username, "password", ct);

    public Task<IActionResult> OnPostRemoveTotpAsync(CancellationToken ct) =>
        ChangeAsync(accounts.RemoveTotpAsync(Username ?? "", ct), "user-remove-2fa", "user " + Username, "totp", ct);

    public Task<IActionResult> OnPostDeleteAsync(CancellationToken ct) =>
        ChangeAsync(accounts.DeleteAsync(Me, Username ?? "", ct), "user-delete", "user " + Username, "deleted", ct);

    public string? DoneMessage => Who is not { Length: > 0 } who ? null : Done switch
    {
        "added" => text.Format("users.doneAdded", who),
        "role" => text.Format("users.doneRole", who),
        "password" => text.Format("users.donePassword", who),
        "totp" => text.Format("users.doneTotp", who),
        "deleted" => text.Format("users.doneDeleted", who),
        _ => null,
    };

    private async Task<IActionResult> ChangeAsync(Task<AccountResult> change, string action, string target, string done, CancellationToken ct)
    {
        var result = await change.ConfigureAwait(false);
        if (!result.Succeeded)
        {
            Error = AccountMessages.Describe(text, result);
            Response.StatusCode = AccountMessages.StatusCode(result);
            return await ShowAsync(ct).ConfigureAwait(false);
        }

        await audit.RecordAsync(HttpContext, action, target).ConfigureAwait(false);
        return Redirect($"/users?done={done}&who={Uri.EscapeDataString(Username ?? "")}");
    }

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        All = await accounts.ListAsync(ct).ConfigureAwait(false);
        Password = null;
        return Page();
    }
}
