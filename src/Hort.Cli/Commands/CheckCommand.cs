using System.CommandLine;
using System.Diagnostics;
using Hort.Cli.Output;
using Hort.Repository.Checking;

namespace Hort.Cli.Commands;

/// <summary><c>hort check [--read-data | --read-data-subset=N%|n/t]</c>: verifies the repository and names any damage.</summary>
internal static class CheckCommand
{
    private static readonly Option<bool> ReadData = new("--read-data") { Description = "Also read and verify every stored byte (slow; reads the whole repository)" };

    private static readonly Option<string?> ReadDataSubset = new("--read-data-subset")
    {
        Description = "Read and verify part of the data: N% rotates (each run continues where the last stopped, so ceil(100/N) runs read everything); n/t reads the fixed part n of t",
        HelpName = "N%|n/t",
    };

    public static Command Create()
    {
        var command = new Command("check", "Verify the repository's structure, and with --read-data all its data (or a rotating part with --read-data-subset)") { ReadData, ReadDataSubset };
        CommandAction.Set(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        var readData = ctx.Parse.GetValue(ReadData);
        var subsetText = ctx.Parse.GetValue(ReadDataSubset);
        DataSubset? subset = null;
        if (subsetText is not null)
        {
            if (readData)
            {
                throw new CliException("use either --read-data or --read-data-subset, not both", ExitCodes.Usage);
            }

            subset = DataSubset.TryParse(subsetText)
                ?? throw new CliException($"--read-data-subset '{subsetText}' is neither a percentage (e.g. 10%) nor a part n/t (e.g. 2/5)", ExitCodes.Usage);
        }

        using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
        string? statePath = null;
        if (subset is { Rotates: true })
        {
            statePath = CheckState.PathFor(repo.Config.Id);
            subset = subset with { Cursor = CheckState.ReadCursor(statePath) };
        }

        ctx.Info(readData ? "checking structure and reading all data"
            : subset is not null ? $"checking structure and reading {subset} of the data"
            : "checking structure (add --read-data to verify every byte)");
        var clock = Stopwatch.StartNew();
        using var status = new StatusLine(ctx.Err, ctx.ShowProgress);
        var progress = new SynchronousProgress<CheckProgress>(p => status.Update($"[{Units.Duration(clock.Elapsed)}] {p.Phase}: {p.Done}/{p.Total}"));
        var report = await new Checker(repo, ctx.ShowProgress ? progress : null)
            .RunAsync(new CheckOptions { ReadData = readData, ReadDataSubset = subset }, ct).ConfigureAwait(false);
        status.Clear();
        if (statePath is not null && report.NextSubsetCursor is { } cursor)
        {
            try
            {
                CheckState.WriteCursor(statePath, cursor, repo.Time.GetUtcNow());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ctx.Warn($"warning: cannot save where the next --read-data-subset run continues ({statePath}): {e.Message}");
            }
        }

        var errors = report.Errors;
        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, new CheckMessage(
                report.IsClean, report.SnapshotsChecked, report.TreesChecked, report.PacksTotal, report.PacksRead, report.BlobsVerified,
                ReadDataSubset: subset?.ToString(),
                Errors: errors.Select(Entry).ToArray(),
                KnownDamage: report.KnownDamage.Select(Entry).ToArray(),
                DamagedSnapshots: report.DamagedSnapshots.Select(d => new DamagedSnapshotEntry(d.Snapshot.ToString(), RepairedAt: d.Time, d.Paths)).ToArray(),
                report.Notes), CliJsonContext.Default.CheckMessage);
        }
        else
        {
            foreach (var note in report.Notes)
            {
                ctx.Info("note: " + note);
            }

            foreach (var e in errors)
            {
                ctx.Err.WriteLine($"error: {e.Object}: {e.Description}");
                foreach (var a in e.Affected)
                {
                    ctx.Err.WriteLine($"  {a}");
                }
            }

            foreach (var d in report.DamagedSnapshots)
            {
                ctx.Warn($"warning: snapshot {d.Snapshot.ToShortString()} is marked damaged (repair on {d.Time:yyyy-MM-dd HH:mm} found {d.Paths.Count} path(s) lost; 'hort ls' and 'hort restore' name them)");
            }

            ctx.Info($"checked {report.SnapshotsChecked} snapshots, {report.TreesChecked} trees" +
                     (readData || subset is not null ? $", read {report.PacksRead} of {report.PacksTotal} packs and verified {report.BlobsVerified} blobs" : ""));
            ctx.Info(report.IsClean
                ? report.DamagedSnapshots.Count == 0 ? "no errors were found" : "no new errors were found (only the damage repair already recorded)"
                : $"{errors.Count} error(s) found");
        }

        return report.IsClean ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }

    private static CheckProblemEntry Entry(CheckProblem problem) => new(problem.Object, problem.Description, problem.Affected);
}
