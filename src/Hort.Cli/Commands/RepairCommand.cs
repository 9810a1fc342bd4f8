using System.CommandLine;
using System.Diagnostics;
using Hort.Cli.Output;
using Hort.Engine.Maintenance;
using Hort.Repository.Checking;
using Hort.Repository.Repair;

namespace Hort.Cli.Commands;

/// <summary><c>hort repair [--dry-run] [--headers-only]</c>: rebuilds the index, quarantines damaged packs, marks damaged snapshots.</summary>
internal static class RepairCommand
{
    private static readonly Option<bool> DryRun = new("--dry-run", "-n") { Description = "Show what would be done; change nothing" };

    private static readonly Option<bool> HeadersOnly = new("--headers-only")
    {
        Description = "Read only pack headers, not whole packs (fast; finds lost headers and missing packs, not damaged blobs inside intact packs)",
    };

    public static Command Create()
    {
        var command = new Command("repair",
            "Rebuild the index from the packs, move damaged packs to quarantine/ after copying their intact blobs, and mark snapshots that lack data")
        {
            DryRun, HeadersOnly,
        };
        CommandAction.Set(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        var dryRun = ctx.Parse.GetValue(DryRun);
        using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
        ctx.Info(dryRun ? "dry run: nothing will be changed" : "repairing (run no backup meanwhile; if interrupted, run repair again)");
        var clock = Stopwatch.StartNew();
        using var status = new StatusLine(ctx.Err, ctx.ShowProgress);
        var progress = new SynchronousProgress<CheckProgress>(p => status.Update($"[{Units.Duration(clock.Elapsed)}] {p.Phase}: {p.Done}/{p.Total}"));
        var report = await new Repairer(repo, ctx.ShowProgress ? progress : null)
            .RunAsync(new RepairOptions { DryRun = dryRun, HeadersOnly = ctx.Parse.GetValue(HeadersOnly), Owner = LocalLeases.Owner, Leases = LocalLeases.Leases }, ct).ConfigureAwait(false);
        status.Clear();

        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, new RepairMessage(
                report.DryRun, report.PacksRead, report.PacksDamaged, report.BlobsSalvaged, BlobsLost: report.BlobsLost.Count,
                Actions: report.Actions.Select(a => new RepairActionEntry(a.Kind, a.Object, a.Description, a.Paths)).ToArray(),
                DamagedSnapshots: report.DamagedSnapshots.Select(d => new SnapshotLossEntry(d.Snapshot.ToString(), d.Paths)).ToArray(),
                report.Warnings), CliJsonContext.Default.RepairMessage);
            return ExitCodes.Ok;
        }

        var verb = dryRun ? "would " : "";
        foreach (var w in report.Warnings)
        {
            ctx.Warn("warning: " + w);
        }

        foreach (var a in report.Actions)
        {
            ctx.Info($"{verb}{a.Kind}: {a.Object}: {a.Description}");
            foreach (var path in a.Paths)
            {
                ctx.Info("  " + path);
            }
        }

        ctx.Info($"read {report.PacksRead} pack(s): {report.PacksDamaged} damaged, {report.BlobsSalvaged} blob(s) {(dryRun ? "to salvage" : "salvaged")}, {report.BlobsLost.Count} lost");
        ctx.Info(report.ChangedNothing
            ? "nothing to repair"
            : $"{report.Actions.Count} action(s) {(dryRun ? "would be taken" : "taken")}; {report.DamagedSnapshots.Count} snapshot(s) lack data" +
              (report.DamagedSnapshots.Count > 0 ? " — the next backup stores again what of it still exists" : ""));
        return ExitCodes.Ok;
    }
}
