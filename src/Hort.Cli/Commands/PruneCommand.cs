using System.CommandLine;
using System.Globalization;
using Hort.Cli.Output;
using Hort.Engine.Maintenance;
using Hort.Repository;
using Hort.Repository.Maintenance;

namespace Hort.Cli.Commands;

/// <summary><c>hort prune</c>: deletes data no snapshot uses, safely while backups run.</summary>
internal static class PruneCommand
{
    private static readonly Option<string> MaxUnused = new("--max-unused") { Description = "Repack packs with more than this share unused (default 5%; e.g. 10%, 0% repacks all, 100% only deletes whole unused packs)", DefaultValueFactory = _ => "5%" };
    private static readonly Option<bool> DryRun = new("--dry-run", "-n") { Description = "Only show what would be deleted and repacked" };

    public static Command Create()
    {
        var command = new Command("prune", "Delete data no snapshot uses and repack packs that are mostly unused (safe while backups run)") { DryRun };
        AddOptionsTo(command);
        CommandAction.Set(command, async (ctx, ct) =>
        {
            using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
            return await RunOnAsync(ctx, repo, ctx.Parse.GetValue(DryRun), ct).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>Adds prune's own options to a command that can run prune (prune itself, forget --prune).</summary>
    public static void AddOptionsTo(Command command) => command.Options.Add(MaxUnused);

    public static async Task<int> RunOnAsync(CliContext ctx, HortRepository repo, bool dryRun, CancellationToken ct)
    {
        var options = new PruneOptions
        {
            MaxUnused = ParseShare(ctx.Parse.GetValue(MaxUnused) ?? "5%"), DryRun = dryRun, Leases = LocalLeases.Leases, Owner = LocalLeases.Owner,
        };
        var report = await new Pruner(repo, options).RunAsync(ct).ConfigureAwait(false);
        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, new PruneMessage(
                Outcome: System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(report.Outcome.ToString()),
                Snapshots: report.Snapshots, PacksTotal: report.PacksTotal, BytesTotal: report.BytesTotal,
                PacksUnindexed: report.PacksUnindexed, PacksUnused: report.PacksUnused, BytesUnused: report.BytesUnused,
                PacksRepacked: report.PacksRepacked, BytesRepacked: report.BytesRepacked, BytesCopied: report.BytesCopied,
                PacksWritten: report.PacksWritten, IndexFilesReplaced: report.IndexFilesReplaced, PacksDeleted: report.PacksDeleted,
                BytesFreed: report.BytesFreed, IndexFilesDeleted: report.IndexFilesDeleted, PacksRescued: report.PacksRescued,
                WaitingFor: report.WaitingFor, Notes: report.Notes), CliJsonContext.Default.PruneMessage);
            return ExitCodes.Ok;
        }

        foreach (var note in report.Notes)
        {
            ctx.Info("note: " + note);
        }

        ctx.Info($"{report.Snapshots} snapshot(s); {report.PacksTotal} indexed pack(s), {Units.Bytes(report.BytesTotal)}" +
                 (report.PacksUnindexed > 0 ? $"; {report.PacksUnindexed} pack(s) not yet indexed left alone" : ""));
        var verb = dryRun ? "would" : "will";
        ctx.Info($"unused packs: {report.PacksUnused} ({Units.Bytes(report.BytesUnused)}) {verb} be deleted");
        ctx.Info($"packs to repack: {report.PacksRepacked} ({Units.Bytes(report.BytesRepacked)}), {Units.Bytes(report.BytesCopied)} of used data {verb} be copied");
        ctx.Info($"index files {verb} be replaced: {report.IndexFilesReplaced}");
        switch (report.Outcome)
        {
            case PruneOutcome.DryRun:
                ctx.Info("dry run: nothing was changed");
                break;
            case PruneOutcome.NothingToDo:
                ctx.Info("nothing to prune");
                break;
            case PruneOutcome.Completed:
                ctx.Info($"deleted {report.PacksDeleted} pack(s) ({Units.Bytes(report.BytesFreed)}) and {report.IndexFilesDeleted} index file(s)" +
                         (report.PacksRescued > 0 ? $"; kept {report.PacksRescued} pack(s) a newer snapshot uses" : ""));
                break;
            case PruneOutcome.Deferred:
                ctx.Info($"the deletion is announced and waits for {report.WaitingFor.Count} backup(s) that started before it; run prune again later to finish it (the repository is consistent meanwhile)");
                foreach (var lease in report.WaitingFor)
                {
                    ctx.Info("  waiting for " + lease);
                }

                break;
        }

        return ExitCodes.Ok;
    }

    /// <summary>"5%", "5" (percent) or "0.5%"; 0 … 100.</summary>
    private static double ParseShare(string text)
    {
        var number = text.Trim().TrimEnd('%');
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent is >= 0 and <= 100
            ? percent / 100
            : throw new CliException($"--max-unused: '{text}' is not a percentage from 0% to 100%", ExitCodes.Usage);
    }
}
