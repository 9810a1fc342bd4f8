using System.CommandLine;
using Hort.Cli.Output;
using Hort.Core;
using Hort.Engine.Browsing;
using Hort.Repository;
using Hort.Repository.Trees;

namespace Hort.Cli.Commands;

/// <summary><c>hort diff A B</c>: what changed between two snapshots.</summary>
internal static class DiffCommand
{
    private static readonly Argument<string> First = new("SNAPSHOT1") { Description = "The older snapshot" };
    private static readonly Argument<string> Second = new("SNAPSHOT2") { Description = "The newer snapshot" };

    public static Command Create()
    {
        var command = new Command("diff", "Show added (+), removed (-), modified (M), type-changed (T) and metadata-changed (U) paths between two snapshots")
        {
            First, Second,
        };
        CommandAction.Set(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        using var repo = await ctx.OpenRepositoryAsync(loadIndex: true, ct).ConfigureAwait(false);
        var a = await repo.FindSnapshotAsync(ctx.Parse.GetValue(First)!, cancellationToken: ct).ConfigureAwait(false);
        var b = await repo.FindSnapshotAsync(ctx.Parse.GetValue(Second)!, cancellationToken: ct).ConfigureAwait(false);
        ctx.Info($"comparing snapshot {a.Id.ToShortString()} to {b.Id.ToShortString()}:");
        var counts = new Dictionary<char, int> { ['+'] = 0, ['-'] = 0, ['M'] = 0, ['T'] = 0, ['U'] = 0 };
        var diff = new TreeDiff(repo, (change, path) =>
        {
            counts[change]++;
            if (ctx.Json)
            {
                JsonOutput.Write(ctx.Out, new DiffChangeMessage(path, change.ToString()), CliJsonContext.Default.DiffChangeMessage);
            }
            else
            {
                ctx.Out.WriteLine($"{change}    {path}");
            }
        });
        await diff.CompareAsync(a.Snapshot.Tree, b.Snapshot.Tree, "", ct).ConfigureAwait(false);
        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, new DiffStatisticsMessage(Added: counts['+'], Removed: counts['-'], Modified: counts['M'], TypeChanged: counts['T'], MetadataChanged: counts['U']),
                CliJsonContext.Default.DiffStatisticsMessage);
        }
        else
        {
            ctx.Info($"added: {counts['+']}, removed: {counts['-']}, modified: {counts['M']}, type changed: {counts['T']}, metadata changed: {counts['U']}");
        }

        return ExitCodes.Ok;
    }

    private sealed class TreeDiff(HortRepository repo, Action<char, string> report)
    {
        private readonly SnapshotWalker _walker = new(repo);

        public async Task CompareAsync(ObjectId left, ObjectId right, string prefix, CancellationToken ct)
        {
            if (left == right) return;
            var l = await repo.LoadTreeAsync(left, ct).ConfigureAwait(false);
            var r = await repo.LoadTreeAsync(right, ct).ConfigureAwait(false);
            int i = 0, j = 0;
            while (i < l.Nodes.Count || j < r.Nodes.Count)
            {
                var c = i >= l.Nodes.Count ? 1 : j >= r.Nodes.Count ? -1 : l.Nodes[i].Name.AsSpan().SequenceCompareTo(r.Nodes[j].Name);
                if (c < 0)
                {
                    await AllAsync('-', l.Nodes[i++], prefix, ct).ConfigureAwait(false);
                }
                else if (c > 0)
                {
                    await AllAsync('+', r.Nodes[j++], prefix, ct).ConfigureAwait(false);
                }
                else
                {
                    await CompareNodesAsync(l.Nodes[i++], r.Nodes[j++], prefix, ct).ConfigureAwait(false);
                }
            }
        }

        private async Task CompareNodesAsync(TreeNode x, TreeNode y, string prefix, CancellationToken ct)
        {
            var path = prefix + "/" + y.DisplayName;
            if (x.Type != y.Type)
            {
                report('T', path);
                return;
            }

            if (x.Type == NodeType.File && !x.Content.SequenceEqual(y.Content))
            {
                report('M', path);
            }
            else if (MetadataDiffers(x, y))
            {
                report('U', path);
            }

            if (x.Type == NodeType.Directory)
            {
                await CompareAsync(x.Subtree, y.Subtree, path, ct).ConfigureAwait(false);
            }
        }

        private static bool MetadataDiffers(TreeNode x, TreeNode y) =>
            x.Mode != y.Mode || x.Uid != y.Uid || x.Gid != y.Gid || x.ModifyTime != y.ModifyTime
            || !x.LinkTarget.AsSpan().SequenceEqual(y.LinkTarget) || x.DeviceNumber != y.DeviceNumber
            || x.ExtendedAttributes.Count != y.ExtendedAttributes.Count
            || x.ExtendedAttributes.Zip(y.ExtendedAttributes).Any(p => !p.First.Name.AsSpan().SequenceEqual(p.Second.Name) || !p.First.Value.AsSpan().SequenceEqual(p.Second.Value));

        private async Task AllAsync(char change, TreeNode node, string prefix, CancellationToken ct)
        {
            var path = prefix + "/" + node.DisplayName;
            report(change, path);
            if (node.Type == NodeType.Directory)
            {
                await foreach (var e in _walker.WalkAsync(node.Subtree, path, ct).ConfigureAwait(false))
                {
                    report(change, e.Path);
                }
            }
        }
    }
}
