using Hort.Protocol;
using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>Alerts: the open ones first, then those acknowledged; acknowledging is audited like the API's.</summary>
[Authorize(Policy = DashboardAuth.AdminPolicy)]
internal sealed class AlertsModel(ServerCatalog catalog, AuditLog audit, TimeProvider time) : PageModel
{
    /// <summary>How many alerts the page lists at most.</summary>
    public const int Limit = 500;

    public IReadOnlyList<AlertDto> Open { get; private set; } = [];

    public IReadOnlyList<AlertDto> Acknowledged { get; private set; } = [];

    public IReadOnlyDictionary<string, string> PcNames { get; private set; } = new Dictionary<string, string>();

    /// <summary>Only this PC's alerts, when set.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Pc { get; set; }

    /// <summary>The alert just acknowledged, for the confirmation.</summary>
    [BindProperty(SupportsGet = true)]
    public long? Done { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var all = await catalog.ListAlertsAsync(true, Pc is { Length: > 0 } ? Pc : null, Limit, ct).ConfigureAwait(false);
        Open = [.. all.Where(a => a.AcknowledgedAt is null).OrderByDescending(a => a.Severity).ThenByDescending(a => a.LastSeen)];
        Acknowledged = [.. all.Where(a => a.AcknowledgedAt is not null)];
        PcNames = (await catalog.ListPcsAsync(ct).ConfigureAwait(false)).ToDictionary(p => p.Id, p => p.Name, StringComparer.Ordinal);
    }

    public async Task<IActionResult> OnPostAcknowledgeAsync(long id, CancellationToken ct)
    {
        if (!await AlertEndpoints.AcknowledgeAndAuditAsync(HttpContext, id, catalog, audit, time, ct).ConfigureAwait(false)) return NotFound();
        return RedirectToPage(new { done = id, pc = Pc });
    }
}
