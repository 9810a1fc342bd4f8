using Hort.Core;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Jobs;
using Hort.Server.Sessions;

namespace Hort.Server.Api;

/// <summary>PCs: list, show, rename or regroup, revoke, their snapshots, and queued backup and restore jobs.</summary>
internal static class PcEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet(Routes.Pcs, ListAsync).WithTags("PCs");
        admin.MapGet(Routes.Pc, GetAsync).WithTags("PCs");
        admin.MapPatch(Routes.Pc, UpdateAsync).WithTags("PCs");
        admin.MapPost(Routes.PcRevoke, RevokeAsync).WithTags("PCs");
        admin.MapGet(Routes.PcSnapshots, SnapshotsAsync).WithTags("Snapshots");
        admin.MapPost(Routes.PcBackups, BackupAsync).WithTags("Jobs");
        admin.MapPost(Routes.PcRestores, RestoreAsync).WithTags("Jobs");
    }

    internal static PcDto ToDto(PcRecord pc, DateTimeOffset? lastSnapshot) =>
        new(pc.Id, pc.Name, pc.Hostname, pc.GroupId, pc.Enrolled, pc.LastSeen, pc.Revoked, lastSnapshot);

    private static async Task<IReadOnlyList<PcDto>> ListAsync(ServerCatalog catalog, CancellationToken ct)
    {
        var last = await catalog.LastSnapshotTimesAsync(ct).ConfigureAwait(false);
        var pcs = await catalog.ListPcsAsync(ct).ConfigureAwait(false);
        return [.. pcs.Select(pc => ToDto(pc, last.TryGetValue(pc.Id, out var t) ? t : null))];
    }

    private static async Task<IResult> GetAsync(string pcId, ServerCatalog catalog, CancellationToken ct)
    {
        var pc = await FindAsync(catalog, pcId, ct).ConfigureAwait(false);
        var last = await catalog.LastSnapshotTimesAsync(ct).ConfigureAwait(false);
        return Results.Ok(ToDto(pc, last.TryGetValue(pc.Id, out var t) ? t : null));
    }

    private static async Task<IResult> UpdateAsync(string pcId, PcUpdateRequest request, HttpContext context, ServerCatalog catalog, PolicyAdmin policies, CancellationToken ct)
    {
        await FindAsync(catalog, pcId, ct).ConfigureAwait(false);
        return await policies.UpdatePcAsync(context, pcId, request.Name, request.GroupId, ct).ConfigureAwait(false) switch
        {
            GroupChange.BadName => ApiProblems.BadRequest("name: " + Names.Problem(request.Name)),
            GroupChange.NoSuchGroup => ApiProblems.BadRequest($"there is no group {request.GroupId}"),
            _ => await GetAsync(pcId, catalog, ct).ConfigureAwait(false),
        };
    }

    private static async Task<IResult> RevokeAsync(string pcId, HttpContext context, ServerCatalog catalog, AuditLog audit, CancellationToken ct)
    {
        await FindAsync(catalog, pcId, ct).ConfigureAwait(false);
        await catalog.RevokePcAsync(pcId, ct).ConfigureAwait(false);
        await audit.RecordAsync(context, "revoke-pc", "pc " + pcId).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> SnapshotsAsync(string pcId, ServerCatalog catalog, CancellationToken ct)
    {
        await FindAsync(catalog, pcId, ct).ConfigureAwait(false);
        return Results.Ok(await catalog.ListSnapshotsAsync(pcId, ct).ConfigureAwait(false));
    }

    private static async Task<IResult> BackupAsync(string pcId, HttpContext context, ServerCatalog catalog, JobRequests requests, CancellationToken ct)
    {
        await FindAsync(catalog, pcId, ct).ConfigureAwait(false);
        var job = await requests.QueueBackupAsync(context, pcId, ct).ConfigureAwait(false);
        return Results.Accepted(Routes.Format(Routes.Job, job.Id), job);
    }

    /// <summary>Queues a restore only after <see cref="RestoreRequests"/> found the snapshot and every path in it.</summary>
    private static async Task<IResult> RestoreAsync(string pcId, RestoreRequest request, HttpContext context, ServerCatalog catalog, RestoreRequests restores, AuditLog audit, CancellationToken ct)
    {
        await FindAsync(catalog, pcId, ct).ConfigureAwait(false);
        var job = await restores.QueueAsync(pcId, request, ct).ConfigureAwait(false);
        await audit.RecordAsync(context, "request-restore", $"pc {pcId} snapshot {job.SnapshotId} job {job.Id}").ConfigureAwait(false);
        return Results.Accepted(Routes.Format(Routes.Job, job.Id), job);
    }

    /// <summary>The PC, or a 404 answer through <see cref="NotFoundException"/>.</summary>
    internal static async Task<PcRecord> FindAsync(ServerCatalog catalog, string pcId, CancellationToken ct) =>
        (Ids.IsValid(pcId) ? await catalog.GetPcAsync(pcId, ct).ConfigureAwait(false) : null)
        ?? throw new NotFoundException($"there is no PC {pcId}");
}
