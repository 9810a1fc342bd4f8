using Hort.Server.Api;
using Hort.Server.Dashboard.Auth;
using Hort.Server.Dashboard.Text;
using Hort.Server.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>Every user's own account: change the password, set up or remove two-factor sign-in.</summary>
internal sealed class AccountModel(UserAccounts accounts, AuditLog audit, PageText text) : PageModel
{
    [BindProperty]
    public string? CurrentPassword { get; set; }

    [BindProperty]
    public string? NewPassword { get; set; }

    [BindProperty]
    public string? Confirm { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public string? Pending { get; set; }

    [BindProperty]
    public string? Code { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Done { get; set; }

    public bool HasTotp { get; private set; }

    /// <summary>Set while two-factor is being set up: the new secret, shown as QR code and text.</summary>
    public TotpEnrollment? Enrollment { get; private set; }

    public string? Error { get; private set; }

    private string Me => User.Identity!.Name!;

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => ShowAsync(ct);

    /// <summary>Starts setting up two-factor sign-in: a new secret each time.</summary>
    public Task<IActionResult> OnGetSetupAsync(CancellationToken ct)
    {
        Enrollment = accounts.StartTotp(Me);
        return ShowAsync(ct);
    }

    public async Task<IActionResult> OnPostPasswordAsync(CancellationToken ct)
    {
        var result = await accounts.ChangeOwnPasswordAsync(HttpContext.Connection.RemoteIpAddress, Me, CurrentPassword, NewPassword, Confirm, ct).ConfigureAwait(false);
        if (!result.Succeeded) return await FailAsync(result, ct).ConfigureAwait(false);
        await audit.RecordAsync(HttpContext, "change-password", "user " + Me).ConfigureAwait(false);
        // Every session ended with the old password; this browser gets a new one.
        await DashboardAuth.SignInAsync(HttpContext, Me, User.Role()!).ConfigureAwait(false);
        return Redirect("/account?done=password");
    }

    public async Task<IActionResult> OnPostConfirmTotpAsync(CancellationToken ct)
    {
        var result = await accounts.ConfirmTotpAsync(Me, Pending, Code, ct).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            Enrollment = result.Change == AccountChange.Expired ? accounts.StartTotp(Me) : accounts.ResumeTotp(Me, Pending);
            return await FailAsync(result, ct).ConfigureAwait(false);
        }

        await audit.RecordAsync(HttpContext, "enable-2fa", "user " + Me).ConfigureAwait(false);
        return Redirect("/account?done=totp-on");
    }

    public async Task<IActionResult> OnPostDisableTotpAsync(CancellationToken ct)
    {
        var result = await accounts.DisableOwnTotpAsync(HttpContext.Connection.RemoteIpAddress, Me, Password, ct).ConfigureAwait(false);
        if (!result.Succeeded) return await FailAsync(result, ct).ConfigureAwait(false);
        await audit.RecordAsync(HttpContext, "disable-2fa", "user " + Me).ConfigureAwait(false);
        return Redirect("/account?done=totp-off");
    }

    public string? DoneMessage => Done switch
    {
        "password" => text["account.passwordChanged"],
        "totp-on" => text["account.totpEnabled"],
        "totp-off" => text["account.totpDisabled"],
        _ => null,
    };

    public string QrCode(TotpEnrollment enrollment) => QrSvg.Render(enrollment.Uri, text["account.qrLabel"]);

    private async Task<IActionResult> FailAsync(AccountResult result, CancellationToken ct)
    {
        Error = AccountMessages.Describe(text, result);
        Response.StatusCode = AccountMessages.StatusCode(result);
        Done = null;
        return await ShowAsync(ct).ConfigureAwait(false);
    }

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        var user = (await accounts.ListAsync(ct).ConfigureAwait(false)).FirstOrDefault(u => u.Username == Me);
        HasTotp = user?.HasTotp == true;
        if (HasTotp) Enrollment = null;
        CurrentPassword = NewPassword = Confirm = Password = Code = null;
        return Page();
    }
}
