using Hort.Core;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Security;
using Hort.Server.Sessions;

namespace Hort.Server.Api;

/// <summary>Jobs, their logs, and cancelling them.</summary>
internal static class JobEndpoints
{
    private const int ListLimit = 500;

    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet(Routes.Jobs, ListAsync).WithTags("Jobs");
        admin.MapGet(Routes.Job, GetAsync).WithTags("Jobs");
        admin.MapGet(Routes.JobLog, LogAsync).WithTags("Jobs");
        admin.MapPost(Routes.JobCancel, CancelAsync).WithTags("Jobs")
            .WithSummary("Cancel a job")
            .WithDescription("A queued job ends as cancelled at once (200). A started job becomes 'cancelling' (202): a backup's " +
                "session is closed so nothing of it is committed, the PC's agent receives a cancel command, and the job ends as " +
                "cancelled when the agent has stopped it. 404 for an unknown job, 409 for one that has ended.")
            .Produces<JobDto>(StatusCodes.Status200OK)
            .Produces<JobDto>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<IResult> ListAsync(string? pcId, ServerCatalog catalog, CancellationToken ct)
    {
        if (pcId is not null && !Ids.IsValid(pcId)) return ApiProblems.BadRequest("pcId is not a PC ID");
        return Results.Ok(await catalog.ListJobsAsync(pcId, ListLimit, ct).ConfigureAwait(false));
    }

    private static async Task<JobDto> GetAsync(string jobId, ServerCatalog catalog, CancellationToken ct) =>
        await FindAsync(catalog, jobId, ct).ConfigureAwait(false);

    private static async Task<IReadOnlyList<JobLogEntry>> LogAsync(string jobId, ServerCatalog catalog, CancellationToken ct)
    {
        await FindAsync(catalog, jobId, ct).ConfigureAwait(false);
        return await catalog.JobLogAsync(jobId, ct).ConfigureAwait(false);
    }

    private static async Task<IResult> CancelAsync(string jobId, HttpContext context, ServerCatalog catalog, BackupSessions sessions, CommandSignals signals, AuditLog audit,
        TimeProvider time, CancellationToken ct)
    {
        var job = await FindAsync(catalog, jobId, ct).ConfigureAwait(false);
        if (job.Finished is not null) return ApiProblems.Conflict($"job {jobId} has already ended ({job.State})");
        var admin = context.User.AdminName();
        var now = time.GetUtcNow();
        var state = await catalog.CancelJobAsync(jobId, now, "cancelled by " + admin, ct).ConfigureAwait(false);
        if (state is not (JobValues.Cancelled or JobValues.Cancelling))
        {
            return ApiProblems.Conflict($"job {jobId} has already ended ({state})");
        }

        string line;
        if (state == JobValues.Cancelled)
        {
            line = $"cancelled by {admin} before it started";
        }
        else if (job.Kind == JobValues.Backup && await sessions.CancelOpenSessionAsync(job.PcId, ct).ConfigureAwait(false) is { } session)
        {
            line = $"cancel requested by {admin}: backup session {session} closed, nothing of it will be committed (what it uploaded stays stored for the next backup); waiting for the agent to stop";
        }
        else
        {
            line = $"cancel requested by {admin}; waiting for the agent to stop";
        }

        await catalog.AddJobLogAsync(jobId, [new JobLogEntry(now, "info", line)], ct).ConfigureAwait(false);
        await audit.RecordAsync(context, "cancel-job", $"job {jobId} pc {job.PcId}").ConfigureAwait(false);
        var after = await FindAsync(catalog, jobId, ct).ConfigureAwait(false);
        // A cancel command is now queued for the agent: wake its poll (only now, so the answer shows the job as cancelling).
        if (state == JobValues.Cancelling) signals.Pulse(job.PcId);
        return state == JobValues.Cancelled ? Results.Ok(after) : Results.Accepted(Routes.Format(Routes.Job, jobId), after);
    }

    internal static async Task<JobDto> FindAsync(ServerCatalog catalog, string jobId, CancellationToken ct) =>
        (Ids.IsValid(jobId) ? await catalog.GetJobAsync(jobId, ct).ConfigureAwait(false) : null)
        ?? throw new NotFoundException($"there is no job {jobId}");
}
