using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Security;

namespace Hort.Server.Api;

/// <summary>Alerts raised by maintenance runs and backup jobs (protocol.md §10).</summary>
internal static class AlertEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet(Routes.Alerts, ListAsync).WithTags("Alerts");
        admin.MapPost(Routes.AlertAcknowledge, AcknowledgeAsync).WithTags("Alerts");
    }

    private static async Task<IResult> ListAsync(bool? all, string? pcId, int? limit, ServerCatalog catalog, CancellationToken ct)
    {
        var n = limit ?? 200;
        if (n is < 1 or > 10_000) return ApiProblems.BadRequest("limit must be between 1 and 10000");
        return Results.Ok(await catalog.ListAlertsAsync(all ?? false, pcId, n, ct).ConfigureAwait(false));
    }

    private static async Task<IResult> AcknowledgeAsync(long alertId, HttpContext context, ServerCatalog catalog, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        if (!await AcknowledgeAndAuditAsync(context, alertId, catalog, audit, time, ct).ConfigureAwait(false))
        {
            return ApiProblems.NotFound($"there is no alert {alertId}");
        }

        return Results.Ok(await catalog.GetAlertAsync(alertId, ct).ConfigureAwait(false));
    }

    /// <summary>Acknowledges an alert in the signed-in administrator's name and audits it (API and dashboard); false when there is no such alert.</summary>
    internal static async Task<bool> AcknowledgeAndAuditAsync(HttpContext context, long alertId, ServerCatalog catalog, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        if (!await catalog.AcknowledgeAlertAsync(alertId, context.User.AdminName(), time.GetUtcNow(), ct).ConfigureAwait(false)) return false;
        await audit.RecordAsync(context, "acknowledge-alert", $"alert {alertId}").ConfigureAwait(false);
        return true;
    }
}
