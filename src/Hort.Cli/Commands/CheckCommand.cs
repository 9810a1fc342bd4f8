using System.CommandLine;
using System.Diagnostics;
using Hort.Cli.Output;
using Hort.Repository.Checking;

namespace Hort.Cli.Commands;

/// <summary><c>hort check [--read-data]</c>: verifies the repository and names any damage.</summary>
internal static class CheckCommand
{
    private static readonly Option<bool> ReadData = new("--read-data") { Description = "Also read and verify every stored byte (slow; reads the whole repository)" };

    public static Command Create()
    {
        var command = new Command("check", "Verify the repository's structure, and with --read-data all its data") { ReadData };
        CommandAction.Set(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
        var readData = ctx.Parse.GetValue(ReadData);
        ctx.Info(readData ? "checking structure and reading all data" : "checking structure (add --read-data to verify every byte)");
        var clock = Stopwatch.StartNew();
        using var status = new StatusLine(ctx.Err, ctx.ShowProgress);
        var progress = new SynchronousProgress<CheckProgress>(p => status.Update($"[{Units.Duration(clock.Elapsed)}] {p.Phase}: {p.Done}/{p.Total}"));
        var report = await new Checker(repo, ctx.ShowProgress ? progress : null)
            .RunAsync(new CheckOptions { ReadData = readData }, ct).ConfigureAwait(false);
        status.Clear();

        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, new
            {
                MessageType = "check", report.IsClean, report.SnapshotsChecked, report.TreesChecked, report.PacksRead, report.BlobsVerified,
                Errors = report.Errors.Select(e => new { e.Object, e.Description, e.Affected }).ToArray(),
                report.Notes,
            });
        }
        else
        {
            foreach (var note in report.Notes)
            {
                ctx.Info("note: " + note);
            }

            foreach (var e in report.Errors)
            {
                ctx.Err.WriteLine($"error: {e.Object}: {e.Description}");
                foreach (var a in e.Affected)
                {
                    ctx.Err.WriteLine($"  {a}");
                }
            }

            ctx.Info($"checked {report.SnapshotsChecked} snapshots, {report.TreesChecked} trees" +
                     (readData ? $", read {report.PacksRead} packs and verified {report.BlobsVerified} blobs" : ""));
            ctx.Info(report.IsClean ? "no errors were found" : $"{report.Errors.Count} error(s) found");
        }

        return report.IsClean ? ExitCodes.Ok : ExitCodes.CheckFailed;
    }
}
