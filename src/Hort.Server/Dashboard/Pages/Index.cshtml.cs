using Hort.Server.Dashboard.Health;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>The overview: every PC's state at a glance, the repository's figures and the jobs running now.</summary>
internal sealed class IndexModel(HealthReports reports) : PageModel
{
    public OverviewReport Report { get; private set; } = null!;

    public async Task OnGetAsync(CancellationToken ct) => Report = await reports.OverviewAsync(ct).ConfigureAwait(false);

    /// <summary>The running jobs again, for the live refresh (hort.js data-poll).</summary>
    public async Task<IActionResult> OnGetJobsAsync(CancellationToken ct)
    {
        var jobs = await reports.ActiveJobsAsync(null, null, ct).ConfigureAwait(false);
        return await PartialHtml.PollAsync(this, "_ActiveJobs", jobs, done: false).ConfigureAwait(false);
    }
}
