using System.CommandLine;
using System.Globalization;
using Hort.Cli.Output;
using Hort.Engine.Browsing;
using Hort.Repository.Trees;

namespace Hort.Cli.Commands;

/// <summary><c>hort ls SNAPSHOT [PATH]</c>: lists the entries of a snapshot.</summary>
internal static class LsCommand
{
    private static readonly Argument<string> Snapshot = new("SNAPSHOT") { Description = "Snapshot ID (or unique prefix) or 'latest'" };
    private static readonly Argument<string?> PathArg = new("PATH") { Arity = ArgumentArity.ZeroOrOne, Description = "Only this path and what is below it" };
    private static readonly Option<bool> Long = new("--long", "-l") { Description = "Show type, mode, owner, size and modification time" };

    public static Command Create()
    {
        var command = new Command("ls", "List files and directories in a snapshot") { Snapshot, PathArg, Long };
        CommandAction.Set(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        using var repo = await ctx.OpenRepositoryAsync(loadIndex: true, ct).ConfigureAwait(false);
        var snap = await repo.FindSnapshotAsync(ctx.Parse.GetValue(Snapshot)!, cancellationToken: ct).ConfigureAwait(false);
        await ctx.WarnIfDamagedAsync(repo, snap.Id, ct).ConfigureAwait(false);
        var walker = new SnapshotWalker(repo);
        var path = ctx.Parse.GetValue(PathArg) ?? "/";
        var (found, node) = await walker.FindAsync(snap.Snapshot.Tree, path, ct).ConfigureAwait(false);
        if (!found)
        {
            throw new CliException($"{path}: no such path in snapshot {snap.Id.ToShortString()}");
        }

        var longFormat = ctx.Parse.GetValue(Long);
        var normalized = SnapshotWalker.DisplayPath(SnapshotWalker.SplitPath(path));
        if (node is not null)
        {
            Print(ctx, new WalkedNode(normalized, node), longFormat);
        }

        if (node is null || node.Type == NodeType.Directory)
        {
            var tree = node?.Subtree ?? snap.Snapshot.Tree;
            await foreach (var entry in walker.WalkAsync(tree, normalized, ct).ConfigureAwait(false))
            {
                Print(ctx, entry, longFormat);
            }
        }

        return ExitCodes.Ok;
    }

    private static void Print(CliContext ctx, WalkedNode e, bool longFormat)
    {
        var n = e.Node;
        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, new NodeEntry(
                e.Path, Name: n.DisplayName, Type: n.Type.ToString().ToLowerInvariant(), Mode: Convert.ToString(n.Mode, 8),
                n.Uid, n.Gid, n.User, n.Group, Size: n.Type == NodeType.File ? n.Size : 0, Mtime: n.ModifyTime.ToDateTimeOffset(),
                LinkTarget: n.Type == NodeType.Symlink ? NameText.Display(n.LinkTarget) : null), CliJsonContext.Default.NodeEntry);
            return;
        }

        if (!longFormat)
        {
            ctx.Out.WriteLine(e.Path);
            return;
        }

        var owner = (n.User.Length > 0 ? n.User : n.Uid.ToString(CultureInfo.InvariantCulture)) + "/" +
                    (n.Group.Length > 0 ? n.Group : n.Gid.ToString(CultureInfo.InvariantCulture));
        var link = n.Type == NodeType.Symlink ? " -> " + NameText.Display(n.LinkTarget) : "";
        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ModeString(n)} {owner,-17} {(n.Type == NodeType.File ? n.Size : 0),12} {Units.Time(n.ModifyTime.ToDateTimeOffset())} {e.Path}{link}"));
    }

    /// <summary>"drwxr-xr-x"-style mode, with s/S/t/T for setuid, setgid and sticky.</summary>
    internal static string ModeString(TreeNode n)
    {
        var c = new char[10];
        c[0] = n.Type switch
        {
            NodeType.Directory => 'd', NodeType.Symlink => 'l', NodeType.Fifo => 'p',
            NodeType.CharDevice => 'c', NodeType.BlockDevice => 'b', NodeType.Socket => 's', _ => '-',
        };
        var m = n.Mode;
        for (var i = 0; i < 9; i++)
        {
            c[1 + i] = (m & (1u << (8 - i))) != 0 ? "rwxrwxrwx"[i] : '-';
        }

        if ((m & 0x800) != 0) c[3] = c[3] == 'x' ? 's' : 'S';
        if ((m & 0x400) != 0) c[6] = c[6] == 'x' ? 's' : 'S';
        if ((m & 0x200) != 0) c[9] = c[9] == 'x' ? 't' : 'T';
        return new string(c);
    }
}
