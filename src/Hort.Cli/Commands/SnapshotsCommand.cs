using System.CommandLine;
using Hort.Cli.Output;

namespace Hort.Cli.Commands;

/// <summary><c>hort snapshots</c>: lists snapshots, oldest first.</summary>
internal static class SnapshotsCommand
{
    private static readonly Option<string?> Host = new("--host") { Description = "Only snapshots of this host" };
    private static readonly Option<string[]> Tags = new("--tag") { Description = "Only snapshots with this tag (repeatable)" };

    public static Command Create()
    {
        var command = new Command("snapshots", "List snapshots") { Host, Tags };
        CommandAction.Set(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
        var host = ctx.Parse.GetValue(Host);
        var tags = ctx.Parse.GetValue(Tags) ?? [];
        var list = (await repo.ListSnapshotsAsync(ct).ConfigureAwait(false))
            .Where(s => host is null || s.Snapshot.Hostname == host)
            .Where(s => tags.All(t => s.Snapshot.Tags.Contains(t)))
            .ToList();
        var (damage, _) = await repo.LoadDamageRecordsAsync(ct).ConfigureAwait(false);

        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, list.Select(s => new SnapshotEntry(
                Id: s.Id.ToString(),
                ShortId: s.Id.ToShortString(),
                Time: s.Snapshot.Time,
                Tree: s.Snapshot.Tree.ToString(),
                Paths: s.Snapshot.Paths,
                Hostname: s.Snapshot.Hostname,
                Username: s.Snapshot.Username,
                Tags: s.Snapshot.Tags,
                Parent: s.Snapshot.Parent?.ToString(),
                Summary: s.Snapshot.Summary,
                Damaged: damage.ContainsKey(s.Id),
                DamagedPaths: damage.TryGetValue(s.Id, out var d) ? d.Paths : null)).ToArray(), CliJsonContext.Default.SnapshotEntryArray);
            return ExitCodes.Ok;
        }

        var rows = list.Select(s => new[]
        {
            s.Id.ToShortString(), Units.Time(s.Snapshot.Time), s.Snapshot.Hostname, string.Join(',', s.Snapshot.Tags),
            string.Join(' ', s.Snapshot.Paths), s.Snapshot.Summary is { } sum ? Units.Bytes(sum.TotalBytes) : "",
        }).ToList();
        Table.Write(ctx.Out, ["ID", "Time", "Host", "Tags", "Paths", "Size"], rows);
        ctx.Info($"{list.Count} snapshot(s)");
        foreach (var s in list.Where(s => damage.ContainsKey(s.Id)))
        {
            ctx.Warn($"warning: snapshot {s.Id.ToShortString()} is marked damaged: {damage[s.Id].Paths.Count} path(s) cannot be restored intact ('hort ls {s.Id.ToShortString()}' names them)");
        }
        return ExitCodes.Ok;
    }
}
