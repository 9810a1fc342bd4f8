using System.CommandLine;
using System.Diagnostics;
using Hort.Cli.Output;
using Hort.Engine.Browsing;
using Hort.Engine.Restore;

namespace Hort.Cli.Commands;

/// <summary><c>hort restore SNAPSHOT --target DIR</c>: writes a snapshot's files into a directory.</summary>
internal static class RestoreCommand
{
    private static readonly Argument<string> Snapshot = new("SNAPSHOT") { Description = "Snapshot ID (or unique prefix) or 'latest'" };
    private static readonly Option<string> Target = new("--target", "-t") { Description = "Directory to restore into (created if missing); nothing outside it is touched", Required = true };
    private static readonly Option<string[]> Includes = new("--include", "-i") { Description = "Restore only this snapshot path and what is below it (repeatable)" };
    private static readonly Option<string?> Host = new("--host") { Description = "With 'latest': the latest snapshot of this host" };

    public static Command Create()
    {
        var command = new Command("restore", "Restore a snapshot into a directory") { Snapshot, Target, Includes, Host };
        CommandAction.Set(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        var target = Path.GetFullPath(ctx.Parse.GetValue(Target)!);
        var includes = ctx.Parse.GetValue(Includes) ?? [];
        using var repo = await ctx.OpenRepositoryAsync(loadIndex: true, ct).ConfigureAwait(false);
        var snap = await repo.FindSnapshotAsync(ctx.Parse.GetValue(Snapshot)!, ctx.Parse.GetValue(Host), ct).ConfigureAwait(false);
        var walker = new SnapshotWalker(repo);
        foreach (var include in includes)
        {
            if (!(await walker.FindAsync(snap.Snapshot.Tree, include, ct).ConfigureAwait(false)).Found)
            {
                throw new CliException($"{include}: no such path in snapshot {snap.Id.ToShortString()}; nothing was restored");
            }
        }

        await ctx.WarnIfDamagedAsync(repo, snap.Id, ct).ConfigureAwait(false);
        ctx.Info($"restoring snapshot {snap.Id.ToShortString()} of {string.Join(' ', snap.Snapshot.Paths)} at {Units.Time(snap.Snapshot.Time)} to {target}");
        var clock = Stopwatch.StartNew();
        using var status = new StatusLine(ctx.Err, ctx.ShowProgress);
        var progress = new SynchronousProgress<RestoreProgress>(u => status.Update(StatusLine.Progress(
            clock.Elapsed, u.FilesDone, u.FilesTotal, u.BytesDone, u.BytesTotal, true, u.CurrentPath)));
        var restorer = new Restorer(repo, new RestoreOptions { Target = target, Includes = includes }, ctx.ShowProgress ? progress : null);
        var result = await restorer.RunAsync(snap, ct).ConfigureAwait(false);
        status.Clear();

        foreach (var issue in result.Issues)
        {
            ctx.Warn($"error: {issue.Path}: {issue.Message}");
        }

        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, new RestoreSummaryMessage(
                SnapshotId: snap.Id.ToString(), FilesRestored: result.Files,
                DirectoriesRestored: result.Directories, OtherRestored: result.OtherEntries, BytesRestored: result.Bytes,
                TotalDuration: clock.Elapsed.TotalSeconds, Errors: result.Issues.Select(i => new FileIssueEntry(i.Path, i.Message)).ToArray()),
                CliJsonContext.Default.RestoreSummaryMessage);
        }
        else
        {
            ctx.Info($"restored {result.Files} files, {result.Directories} directories, {result.OtherEntries} other entries, {Units.Bytes(result.Bytes)} in {Units.Duration(clock.Elapsed)}");
        }

        if (result.Issues.Count > 0)
        {
            ctx.Warn($"warning: {result.Issues.Count} entr(y/ies) could not be restored completely");
            return ExitCodes.Incomplete;
        }

        return ExitCodes.Ok;
    }
}
