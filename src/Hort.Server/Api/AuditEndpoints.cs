using Hort.Protocol;
using Hort.Server.Catalog;

namespace Hort.Server.Api;

/// <summary>The audit log of admin actions.</summary>
internal static class AuditEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet(Routes.Audit, ListAsync).WithTags("Audit");
    }

    private static async Task<IResult> ListAsync(int? limit, ServerCatalog catalog, CancellationToken ct)
    {
        var n = limit ?? 200;
        if (n is < 1 or > 10_000) return ApiProblems.BadRequest("limit must be between 1 and 10000");
        return Results.Ok(await catalog.ListAuditAsync(n, ct).ConfigureAwait(false));
    }
}
