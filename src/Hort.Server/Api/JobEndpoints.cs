using Hort.Core;
using Hort.Protocol;
using Hort.Server.Catalog;

namespace Hort.Server.Api;

/// <summary>Jobs and their logs.</summary>
internal static class JobEndpoints
{
    private const int ListLimit = 500;

    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet(Routes.Jobs, ListAsync).WithTags("Jobs");
        admin.MapGet(Routes.Job, GetAsync).WithTags("Jobs");
        admin.MapGet(Routes.JobLog, LogAsync).WithTags("Jobs");
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

    internal static async Task<JobDto> FindAsync(ServerCatalog catalog, string jobId, CancellationToken ct) =>
        (Ids.IsValid(jobId) ? await catalog.GetJobAsync(jobId, ct).ConfigureAwait(false) : null)
        ?? throw new NotFoundException($"there is no job {jobId}");
}
