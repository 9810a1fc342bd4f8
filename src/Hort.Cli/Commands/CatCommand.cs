using System.CommandLine;
using System.Text;
using Hort.Repository.Snapshots;

namespace Hort.Cli.Commands;

/// <summary><c>hort cat config|snapshot ID</c>: prints a decrypted repository object as JSON.</summary>
internal static class CatCommand
{
    public static Command Create()
    {
        var command = new Command("cat", "Print a decrypted repository object as JSON");
        var config = new Command("config", "Print the repository configuration");
        CommandAction.Set(config, async (ctx, ct) =>
        {
            using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
            ctx.Out.WriteLine(Encoding.UTF8.GetString(repo.ConfigJson()));
            return ExitCodes.Ok;
        });
        var id = new Argument<string>("ID") { Description = "Snapshot ID (or unique prefix) or 'latest'" };
        var snapshot = new Command("snapshot", "Print a snapshot object") { id };
        CommandAction.Set(snapshot, async (ctx, ct) =>
        {
            using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
            var snap = await repo.FindSnapshotAsync(ctx.Parse.GetValue(id)!, cancellationToken: ct).ConfigureAwait(false);
            ctx.Out.WriteLine(Encoding.UTF8.GetString(SnapshotCodec.ToJson(snap.Snapshot)));
            return ExitCodes.Ok;
        });
        command.Subcommands.Add(config);
        command.Subcommands.Add(snapshot);
        return command;
    }
}
