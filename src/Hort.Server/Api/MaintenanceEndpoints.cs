using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Maintenance;

namespace Hort.Server.Api;

/// <summary>The history of scheduled maintenance and starting a run now (protocol.md §10).</summary>
internal static partial class MaintenanceEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet(Routes.Maintenance, ListAsync).WithTags("Maintenance");
        admin.MapPost(Routes.MaintenanceRun, RunAsync).WithTags("Maintenance");
    }

    private static async Task<IResult> ListAsync(int? limit, ServerCatalog catalog, MaintenanceService schedule, CancellationToken ct)
    {
        var n = limit ?? 50;
        if (n is < 1 or > 1000) return ApiProblems.BadRequest("limit must be between 1 and 1000");
        var runs = await catalog.ListMaintenanceRunsAsync(null, n, ct).ConfigureAwait(false);
        return Results.Ok(new MaintenanceStatusResponse(runs, schedule.Next()));
    }

    /// <summary>
    /// Starts a run of <paramref name="kind"/> (retention, prune or verify). With <c>wait=true</c> it answers when the run
    /// has ended, with its record; otherwise at once with 202, and the run shows in GET /api/v1/maintenance.
    /// </summary>
    private static async Task<IResult> RunAsync(
        string kind, bool? wait, HttpContext context, MaintenanceRunner runner, AuditLog audit, IHostApplicationLifetime lifetime,
        ILoggerFactory logs, CancellationToken ct)
    {
        if (!Enum.TryParse<MaintenanceKind>(kind, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(kind, out _))
        {
            return ApiProblems.NotFound($"there is no maintenance '{kind}' (use retention, prune or verify)");
        }

        await audit.RecordAsync(context, "run-maintenance", parsed.ToString().ToLowerInvariant()).ConfigureAwait(false);
        if (wait == true)
        {
            return Results.Ok(await runner.RunAsync(parsed, MaintenanceRunner.ByAdmin, ct).ConfigureAwait(false));
        }

        var log = logs.CreateLogger(typeof(MaintenanceEndpoints));
        _ = Task.Run(async () =>
        {
            try
            {
                await runner.RunAsync(parsed, MaintenanceRunner.ByAdmin, lifetime.ApplicationStopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // hortd is stopping; the run recorded that.
            }
            catch (Exception e)
            {
                LogRunFailed(log, parsed, e);
            }
        }, CancellationToken.None);
        return Results.Accepted(Routes.Maintenance);
    }

    [LoggerMessage(EventId = 740, Level = LogLevel.Error, Message = "the {Kind} run started by an admin failed")]
    private static partial void LogRunFailed(ILogger logger, MaintenanceKind kind, Exception exception);
}
