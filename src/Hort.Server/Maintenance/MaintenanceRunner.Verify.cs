using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Checking;
using Hort.Server.Catalog;

namespace Hort.Server.Maintenance;

public sealed partial class MaintenanceRunner
{
    /// <summary>
    /// Checks the repository's structure and reads the next 1/N of its packs (N = VerifyReadAllDataDays), continuing
    /// where the last run stopped. Each problem raises an alert naming the damaged object and the snapshot paths it
    /// affects, as <c>hort check</c> reports them; damage a repair already recorded does not.
    /// </summary>
    private async Task<RunOutcome> VerifyAsync(CancellationToken ct)
    {
        // Checking loads an index of its own; a separate reader keeps hortd's writing index untouched.
        using var reader = await HortRepository.OpenAsync(Repository.Store, data.RepositoryPassword(out _), time, ct).ConfigureAwait(false);
        var cursor = new VerificationCursor(Path.Combine(data.Path, "verify-state.json"));
        DataSubset? subset = null;
        if (options.Maintenance.VerifyReadAllDataDays > 0)
        {
            subset = DataSubset.OfPercent(100.0 / options.Maintenance.VerifyReadAllDataDays) with { Cursor = cursor.Read() };
        }

        var report = await new Checker(reader).RunAsync(new CheckOptions { ReadDataSubset = subset }, ct).ConfigureAwait(false);
        if (report.NextSubsetCursor is { } next)
        {
            cursor.Write(next, time.GetUtcNow());
        }

        foreach (var problem in report.Errors)
        {
            await alerts.RaiseAsync(new AlertRaise(AlertKinds.DamageFound, AlertSeverity.Error, null, problem.Object,
                AlertRaiser.WithPaths($"{problem.Object}: {problem.Description}", problem.Affected)), ct).ConfigureAwait(false);
        }

        var summary = $"checked {report.SnapshotsChecked} snapshots and {report.TreesChecked} trees, read {report.PacksRead} of {report.PacksTotal} packs " +
                      $"({subset?.ToString() ?? "structure only"}), verified {report.BlobsVerified} blobs; {report.Errors.Count} problem(s)";
        return new RunOutcome(report.IsClean ? MaintenanceResult.Succeeded : MaintenanceResult.ProblemsFound, summary);
    }
}
