using Hort.Core;
using Hort.Engine.Maintenance;
using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Maintenance;
using Hort.Server.Catalog;
using Hort.Server.Hosting;

namespace Hort.Server.Maintenance;

/// <summary>What one run did: its result and a sentence for the run history.</summary>
internal sealed record RunOutcome(MaintenanceResult Result, string Summary);

/// <summary>
/// Runs retention, prune and verification one at a time, records each run in the catalog and raises an alert for every
/// problem a run finds or every run that fails. Scheduled by <see cref="MaintenanceService"/>, or started through the API.
/// </summary>
public sealed partial class MaintenanceRunner(
    HostedRepository hosted, DeletionFollower follower, ServerCatalog catalog, AlertRaiser alerts, HortdOptions options,
    DataFolder data, TimeProvider time, ILogger<MaintenanceRunner> log)
{
    /// <summary>Why a run started.</summary>
    public const string BySchedule = "schedule";
    public const string ByAdmin = "admin";
    public const string ByAcknowledgement = "deletion acknowledged";

    private readonly SemaphoreSlim _exclusive = new(1, 1);

    private HortRepository Repository => hosted.Repository;

    /// <summary>Runs one kind of maintenance now (after a run in progress ends) and returns its record.</summary>
    public async Task<MaintenanceRunDto> RunAsync(MaintenanceKind kind, string cause, CancellationToken cancellationToken)
    {
        await _exclusive.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = time.GetUtcNow();
            var id = await catalog.StartMaintenanceRunAsync(kind, cause, started, cancellationToken).ConfigureAwait(false);
            RunOutcome outcome;
            try
            {
                outcome = kind switch
                {
                    MaintenanceKind.Retention => await RetentionAsync(cancellationToken).ConfigureAwait(false),
                    MaintenanceKind.Prune => await PruneAsync(finishOnly: cause == ByAcknowledgement, cancellationToken).ConfigureAwait(false),
                    MaintenanceKind.Verify => await VerifyAsync(cancellationToken).ConfigureAwait(false),
                    _ => throw new ArgumentOutOfRangeException(nameof(kind)),
                };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await catalog.FinishMaintenanceRunAsync(id, time.GetUtcNow(), MaintenanceResult.Failed, "hortd stopped during the run", CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            catch (Exception e) when (e is HortException or IOException or UnauthorizedAccessException)
            {
                var (alertKind, what) = kind switch
                {
                    MaintenanceKind.Retention => (AlertKinds.RetentionFailed, "retention"),
                    MaintenanceKind.Prune when e is PruneRefusedException => (AlertKinds.PruneRefused, "prune"),
                    MaintenanceKind.Prune => (AlertKinds.PruneFailed, "prune"),
                    _ => (AlertKinds.VerifyFailed, "verification"),
                };
                outcome = new RunOutcome(MaintenanceResult.Failed, e.Message);
                await alerts.RaiseAsync(new AlertRaise(alertKind, AlertSeverity.Error, null, what, $"the {what} run failed: {e.Message}"), cancellationToken).ConfigureAwait(false);
            }

            var finished = time.GetUtcNow();
            await catalog.FinishMaintenanceRunAsync(id, finished, outcome.Result, outcome.Summary, CancellationToken.None).ConfigureAwait(false);
            LogRun(log, kind, cause, outcome.Result, outcome.Summary);
            return new MaintenanceRunDto(id, kind, cause, started, finished, outcome.Result, outcome.Summary);
        }
        finally
        {
            _exclusive.Release();
        }
    }

    /// <summary>
    /// Acknowledges deletions announced since the last call when that is safe, and then finishes them (phase 2 of
    /// prune), so the space is freed while hortd keeps running. Called every minute and after each prune.
    /// </summary>
    public async Task<DeletionFollowResult> FollowDeletionsAsync(CancellationToken cancellationToken)
    {
        var followed = await follower.FollowAsync(cancellationToken).ConfigureAwait(false);
        if (followed.Acknowledged > 0 && followed.Pending > 0)
        {
            await RunAsync(MaintenanceKind.Prune, ByAcknowledgement, cancellationToken).ConfigureAwait(false);
        }

        return followed;
    }

    private PruneOptions PruneOptions(bool finishOnly) => new()
    {
        MaxUnused = options.Maintenance.PruneMaxUnusedPercent / 100,
        Leases = LocalLeases.Leases,
        Owner = LocalLeases.Owner,
        FinishPendingOnly = finishOnly,
    };

    private async Task<RunOutcome> PruneAsync(bool finishOnly, CancellationToken ct)
    {
        var report = await new Pruner(Repository, PruneOptions(finishOnly)).RunAsync(ct).ConfigureAwait(false);
        var freed = (Packs: report.PacksDeleted, Bytes: report.BytesFreed);
        if (report.Outcome == PruneOutcome.Deferred)
        {
            // The deletion waits for leases, hortd's own among them: acknowledge it when no session relies on it,
            // then finish it at once.
            var followed = await follower.FollowAsync(ct).ConfigureAwait(false);
            if (followed.Acknowledged > 0)
            {
                report = await new Pruner(Repository, PruneOptions(finishOnly: true)).RunAsync(ct).ConfigureAwait(false);
                freed = (freed.Packs + report.PacksDeleted, freed.Bytes + report.BytesFreed);
            }
            else if (followed.WaitingForSessions > 0)
            {
                report.WaitingFor.Add($"{followed.WaitingForSessions} backup session(s) of hortd");
            }
        }

        if (report.Outcome == PruneOutcome.Completed)
        {
            // The finished records are gone: reload, so packs the prune rescued are found again.
            await follower.FollowAsync(ct).ConfigureAwait(false);
        }

        var summary = $"{report.Snapshots} snapshots; deleted {freed.Packs} packs ({freed.Bytes} bytes), repacked {report.PacksRepacked}, rescued {report.PacksRescued}";
        return report.Outcome == PruneOutcome.Deferred
            ? new RunOutcome(MaintenanceResult.Deferred, $"{summary}; the deletion waits for {string.Join(", ", report.WaitingFor)} and is finished once they end")
            : new RunOutcome(MaintenanceResult.Succeeded, summary);
    }

    [LoggerMessage(EventId = 720, Level = LogLevel.Information, Message = "maintenance {Kind} ({Cause}): {Result}: {Summary}")]
    private static partial void LogRun(ILogger logger, MaintenanceKind kind, string cause, MaintenanceResult result, string summary);
}
