using Hort.Core;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Jobs;

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

    private static async Task<IResult> CancelAsync(string jobId, HttpContext context, ServerCatalog catalog, JobRequests requests, CancellationToken ct)
    {
        var job = await FindAsync(catalog, jobId, ct).ConfigureAwait(false);
        var (state, after) = await requests.CancelAsync(context, job, ct).ConfigureAwait(false);
        if (after is null) return ApiProblems.Conflict($"job {jobId} has already ended ({state})");
        return state == JobValues.Cancelled ? Results.Ok(after) : Results.Accepted(Routes.Format(Routes.Job, jobId), after);
    }

    internal static async Task<JobDto> FindAsync(ServerCatalog catalog, string jobId, CancellationToken ct) =>
        (Ids.IsValid(jobId) ? await catalog.GetJobAsync(jobId, ct).ConfigureAwait(false) : null)
        ?? throw new NotFoundException($"there is no job {jobId}");
}
