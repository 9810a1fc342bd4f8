using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Hosting;

namespace Hort.Server.Api;

/// <summary>GET /api/v1/status: what anyone may know about the server.</summary>
internal static class StatusEndpoints
{
    public static void Map(RouteGroupBuilder anyone)
    {
        anyone.MapGet(Routes.Status, GetAsync).WithTags("Status");
    }

    private static async Task<StatusResponse> GetAsync(ServerCatalog catalog, ServerIdentity identity, HortdOptions options, CancellationToken ct)
    {
        var (pcs, snapshots) = await catalog.CountsAsync(ct).ConfigureAwait(false);
        var admins = await catalog.CountAdminsAsync(ct).ConfigureAwait(false);
        long? free = null;
        try
        {
            free = new DriveInfo(options.ResolvedRepositoryPath).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // Unknown on this file system; the field stays empty.
        }

        return new StatusResponse(typeof(StatusEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0", ApiVersions.Supported,
            admins == 0, identity.Fingerprint, catalog.Provider, (int)pcs, (int)snapshots, free);
    }
}
