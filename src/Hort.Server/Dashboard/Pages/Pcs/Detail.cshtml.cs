using Hort.Protocol;
using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Auth;
using Hort.Server.Dashboard.Health;
using Hort.Server.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages.Pcs;

/// <summary>One PC: its state, history as a timeline, snapshots, policy and recent jobs with their logs; administrators may back it up now or cancel a job.</summary>
internal sealed class DetailModel(ServerCatalog catalog, HealthReports reports, JobRequests requests, TimeProvider time) : PageModel
{
    /// <summary>Days the timeline shows.</summary>
    public const int TimelineDays = 60;

    /// <summary>Recent jobs listed with their logs.</summary>
    public const int RecentJobs = 20;

    /// <summary>Snapshots listed (newest first).</summary>
    public const int SnapshotLimit = 200;

    [BindProperty(SupportsGet = true)]
    public string PcId { get; set; } = "";

    /// <summary>The job just queued or cancelled, for the confirmation.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Queued { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cancelled { get; set; }

    public PcHealth Health { get; private set; } = null!;

    public int RedDays { get; private set; }

    public IReadOnlyList<SnapshotDto> Snapshots { get; private set; } = [];

    public int SnapshotCount { get; private set; }

    public IReadOnlyList<TimelineDay> Timeline { get; private set; } = [];

    public IReadOnlyList<(JobDto Job, IReadOnlyList<JobLogEntry> Log)> Jobs { get; private set; } = [];

    public IReadOnlyList<ActiveJob> Active { get; private set; } = [];

    public DateTimeOffset Now { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!Ids.IsValid(PcId) || await reports.PcAsync(PcId, ct).ConfigureAwait(false) is not { } health) return NotFound();
        Health = health;
        Now = time.GetUtcNow();
        RedDays = await reports.RedDaysAsync(ct).ConfigureAwait(false);
        var snapshots = await catalog.ListSnapshotsAsync(PcId, ct).ConfigureAwait(false);
        SnapshotCount = snapshots.Count;
        Snapshots = [.. snapshots.Take(SnapshotLimit)];
        var jobs = await catalog.ListJobsAsync(PcId, 500, ct).ConfigureAwait(false);
        Timeline = SnapshotTimeline.Build(snapshots, jobs, Now, time.LocalTimeZone, TimelineDays);
        var recent = new List<(JobDto, IReadOnlyList<JobLogEntry>)>();
        foreach (var job in jobs.Take(RecentJobs)) recent.Add((job, await catalog.JobLogAsync(job.Id, ct).ConfigureAwait(false)));
        Jobs = recent;
        Active = await reports.ActiveJobsAsync(PcId, null, ct).ConfigureAwait(false);
        return Page();
    }

    /// <summary>The PC's running jobs again, for the live refresh (hort.js data-poll).</summary>
    public async Task<IActionResult> OnGetJobsAsync(CancellationToken ct)
    {
        if (!Ids.IsValid(PcId)) return NotFound();
        var jobs = await reports.ActiveJobsAsync(PcId, null, ct).ConfigureAwait(false);
        return await PartialHtml.PollAsync(this, "_ActiveJobs", jobs, done: false).ConfigureAwait(false);
    }

    public async Task<IActionResult> OnPostBackupAsync(CancellationToken ct)
    {
        if (!User.IsAdmin()) return Forbid(DashboardAuth.Scheme);
        if (!Ids.IsValid(PcId) || await catalog.GetPcAsync(PcId, ct).ConfigureAwait(false) is null) return NotFound();
        var job = await requests.QueueBackupAsync(HttpContext, PcId, ct).ConfigureAwait(false);
        return RedirectToPage(new { pcId = PcId, queued = job.Id });
    }

    public async Task<IActionResult> OnPostCancelAsync(string jobId, CancellationToken ct)
    {
        if (!User.IsAdmin()) return Forbid(DashboardAuth.Scheme);
        if (!Ids.IsValid(jobId) || await catalog.GetJobAsync(jobId, ct).ConfigureAwait(false) is not { } job || job.PcId != PcId) return NotFound();
        await requests.CancelAsync(HttpContext, job, ct).ConfigureAwait(false);
        return RedirectToPage(new { pcId = PcId, cancelled = job.Id });
    }
}
