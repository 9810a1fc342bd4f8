using Hort.Server.Api;
using Hort.Server.Dashboard.Auth;
using Hort.Server.Dashboard.Settings;
using Hort.Server.Dashboard.Text;
using Hort.Server.Notifications;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>E-mail settings: SMTP server, recipients, alert thresholds, the weekly summary, and a test e-mail.</summary>
[Authorize(Policy = DashboardAuth.AdminPolicy)]
internal sealed class SettingsModel(NotificationSettingsStore store, MailSender sender, AuditLog audit, PageText text) : PageModel
{
    [BindProperty]
    public SettingsForm Form { get; set; } = new();

    public bool HasPassword { get; private set; }

    /// <summary>Why the settings were not saved or the test e-mail not sent.</summary>
    public IReadOnlyList<string> Problems { get; private set; } = [];

    /// <summary>What went well (saved, test e-mail sent).</summary>
    public string? Done { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Form = SettingsForm.Showing(await store.GetAsync(ct).ConfigureAwait(false));
        HasPassword = await store.HasPasswordAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Saves the form when it is valid; otherwise shows why and changes nothing.</summary>
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var problems = new List<string>();
        var settings = Form.ToSettings(text, problems);
        if (problems.Count == 0) problems.AddRange(await store.SaveAsync(settings, Form.PasswordChange, ct).ConfigureAwait(false));
        HasPassword = await store.HasPasswordAsync(ct).ConfigureAwait(false);
        Form.SmtpPassword = null;
        Form.ClearPassword = false;
        if (problems.Count > 0)
        {
            Problems = [text["settings.notSaved"], .. problems];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        await audit.RecordAsync(HttpContext, "settings.save", "e-mail settings").ConfigureAwait(false);
        Done = text["settings.saved"];
        return Page();
    }

    /// <summary>Sends the test e-mail with the form's values (saved or not) and reports the outcome; saves nothing.</summary>
    public async Task<IActionResult> OnPostTestAsync(CancellationToken ct)
    {
        var problems = new List<string>();
        var settings = Form.ToSettings(text, problems);
        var password = Form.PasswordChange;
        HasPassword = await store.HasPasswordAsync(ct).ConfigureAwait(false);
        Form.SmtpPassword = null;
        if (problems.Count > 0)
        {
            Problems = [text["settings.testNotSent"], .. problems];
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        try
        {
            await sender.SendTestAsync(settings, password, ct).ConfigureAwait(false);
        }
        catch (MailDeliveryException e)
        {
            Problems = [text.Format("settings.testFailed", e.Message)];
            return Page();
        }

        await audit.RecordAsync(HttpContext, "settings.test-mail", string.Join(", ", settings.Recipients)).ConfigureAwait(false);
        Done = text.Format("settings.testSent", string.Join(", ", settings.Recipients));
        return Page();
    }
}
