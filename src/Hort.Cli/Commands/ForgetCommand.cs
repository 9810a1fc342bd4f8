using System.CommandLine;
using Hort.Cli.Output;
using Hort.Repository;
using Hort.Repository.Retention;
using Hort.Repository.Snapshots;

namespace Hort.Cli.Commands;

/// <summary><c>hort forget</c>: removes snapshots, given by ID or chosen by a retention policy per group.</summary>
internal static class ForgetCommand
{
    private static readonly Argument<string[]> Ids = new("SNAPSHOT") { Arity = ArgumentArity.ZeroOrMore, Description = "Snapshots to forget (ID or unique prefix); or give a policy instead" };
    private static readonly Option<int> KeepLast = new("--keep-last") { Description = "Keep the N newest snapshots" };
    private static readonly Option<int> KeepHourly = new("--keep-hourly") { Description = "Keep the newest snapshot of each of the last N hours that have one" };
    private static readonly Option<int> KeepDaily = new("--keep-daily") { Description = "Keep the newest snapshot of each of the last N days that have one" };
    private static readonly Option<int> KeepWeekly = new("--keep-weekly") { Description = "Keep the newest snapshot of each of the last N weeks (ISO, Monday first) that have one" };
    private static readonly Option<int> KeepMonthly = new("--keep-monthly") { Description = "Keep the newest snapshot of each of the last N months that have one" };
    private static readonly Option<int> KeepYearly = new("--keep-yearly") { Description = "Keep the newest snapshot of each of the last N years that have one" };
    private static readonly Option<string?> KeepWithin = new("--keep-within") { Description = "Keep every snapshot younger than DURATION (e.g. 7d, 36h, 1y6m; m = 30 days)" };
    private static readonly Option<string[]> Hosts = new("--host") { Description = "Only snapshots of this host (repeatable)" };
    private static readonly Option<string[]> Tags = new("--tag") { Description = "Only snapshots with this tag (repeatable: all must match)" };
    private static readonly Option<string[]> PathsFilter = new("--path") { Description = "Only snapshots that include this path (repeatable: all must match)" };
    private static readonly Option<string> GroupBy = new("--group-by") { Description = "Apply the policy per group of snapshots with equal host, paths and/or tags (comma-separated; '' for one group)", DefaultValueFactory = _ => "host,paths" };
    private static readonly Option<bool> DryRun = new("--dry-run", "-n") { Description = "Only show what would be forgotten and why the rest is kept" };
    private static readonly Option<bool> Prune = new("--prune") { Description = "Run prune afterwards to free the space (with --dry-run: what prune would do before forgetting)" };

    public static Command Create()
    {
        var command = new Command("forget", "Forget snapshots by ID or by a retention policy (the data is freed by prune)")
        {
            Ids, KeepLast, KeepHourly, KeepDaily, KeepWeekly, KeepMonthly, KeepYearly, KeepWithin, Hosts, Tags, PathsFilter, GroupBy, DryRun, Prune,
        };
        PruneCommand.AddOptionsTo(command);
        CommandAction.Set(command, RunAsync);
        return command;
    }

    private sealed record Group(string? Host, IReadOnlyList<string>? Paths, IReadOnlyList<string>? Tags);

    private sealed record Verdict(StoredSnapshot Snapshot, IReadOnlyList<string> KeptBy)
    {
        public bool Keep => KeptBy.Count > 0;
    }

    private static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        var p = ctx.Parse;
        var ids = p.GetValue(Ids) ?? [];
        var policy = ReadPolicy(p);
        if (ids.Length == 0 && policy.IsEmpty)
        {
            throw new CliException("forget needs snapshot IDs or at least one --keep-* rule; nothing was forgotten", ExitCodes.Usage);
        }

        if (ids.Length > 0 && !policy.IsEmpty)
        {
            throw new CliException("give either snapshot IDs or a --keep-* policy, not both; nothing was forgotten", ExitCodes.Usage);
        }

        var groupBy = ParseGroupBy(p.GetValue(GroupBy) ?? "");
        var dryRun = p.GetValue(DryRun);
        using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
        var lockState = await repo.ReadHistoryLockAsync(ct).ConfigureAwait(false);
        var now = repo.Time.GetUtcNow();

        List<(Group Group, List<Verdict> Verdicts)> groups;
        if (ids.Length > 0)
        {
            var chosen = new List<StoredSnapshot>();
            foreach (var id in ids)
            {
                var s = await repo.FindSnapshotAsync(id, cancellationToken: ct).ConfigureAwait(false);
                if (chosen.All(c => c.Id != s.Id)) chosen.Add(s);
            }

            groups = [(new Group(null, null, null), chosen.Select(s => new Verdict(s, lockState.Protects(s.Snapshot.Time, now) ? ["history lock"] : [])).ToList())];
        }
        else
        {
            var all = await repo.ListSnapshotsAsync(ct).ConfigureAwait(false);
            groups = Decide(Filter(all, p), policy, groupBy, lockState, now);
        }

        var forget = groups.SelectMany(g => g.Verdicts).Where(v => !v.Keep).Select(v => v.Snapshot).ToList();
        var locked = ids.Length > 0 ? groups[0].Verdicts.Where(v => v.Keep).ToList() : [];
        if (locked.Count > 0)
        {
            // Refuse before printing a table: a removal list that then does not happen would only mislead.
            throw new CliException($"the history lock ({lockState.EffectiveDays} days) protects {string.Join(", ", locked.Select(v => v.Snapshot.Id.ToShortString()))}; nothing was forgotten");
        }

        Report(ctx, groups, ids.Length > 0, dryRun);

        if (dryRun)
        {
            ctx.Info($"dry run: {forget.Count} snapshot(s) would be forgotten; nothing was changed");
            return p.GetValue(Prune) ? await PruneCommand.RunOnAsync(ctx, repo, dryRun: true, ct).ConfigureAwait(false) : ExitCodes.Ok;
        }

        await repo.ForgetSnapshotsAsync(forget, cancellationToken: ct).ConfigureAwait(false);
        ctx.Info($"{forget.Count} snapshot(s) forgotten");
        if (p.GetValue(Prune))
        {
            return await PruneCommand.RunOnAsync(ctx, repo, dryRun: false, ct).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    private static RetentionPolicy ReadPolicy(ParseResult p)
    {
        TimeSpan? within = null;
        if (p.GetValue(KeepWithin) is { } text)
        {
            within = RetentionDuration.TryParse(text, out var d)
                ? d
                : throw new CliException($"--keep-within: '{text}' is not a duration (e.g. 7d, 36h, 2w, 1y6m)", ExitCodes.Usage);
        }

        var policy = new RetentionPolicy
        {
            KeepLast = p.GetValue(KeepLast), KeepHourly = p.GetValue(KeepHourly), KeepDaily = p.GetValue(KeepDaily),
            KeepWeekly = p.GetValue(KeepWeekly), KeepMonthly = p.GetValue(KeepMonthly), KeepYearly = p.GetValue(KeepYearly),
            KeepWithin = within,
        };
        try
        {
            policy.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CliException(e.Message, ExitCodes.Usage);
        }

        return policy;
    }

    private static (bool Host, bool Paths, bool Tags) ParseGroupBy(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var part in parts)
        {
            if (part is not ("host" or "paths" or "tags"))
            {
                throw new CliException($"--group-by: unknown field '{part}' (use host, paths, tags, comma-separated)", ExitCodes.Usage);
            }
        }

        return (parts.Contains("host"), parts.Contains("paths"), parts.Contains("tags"));
    }

    private static List<StoredSnapshot> Filter(IReadOnlyList<StoredSnapshot> all, ParseResult p)
    {
        var hosts = p.GetValue(Hosts) ?? [];
        var tags = (p.GetValue(Tags) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var paths = (p.GetValue(PathsFilter) ?? []).Select(Path.GetFullPath).ToList();
        return all.Where(s => hosts.Length == 0 || hosts.Contains(s.Snapshot.Hostname))
            .Where(s => tags.All(t => s.Snapshot.Tags.Contains(t)))
            .Where(s => paths.All(x => s.Snapshot.Paths.Contains(x)))
            .ToList();
    }

    private static List<(Group, List<Verdict>)> Decide(
        List<StoredSnapshot> snapshots, RetentionPolicy policy, (bool Host, bool Paths, bool Tags) by, HistoryLockState lockState, DateTimeOffset now)
    {
        var result = new List<(Group, List<Verdict>)>();
        var grouped = snapshots.GroupBy(s => GroupKey(s.Snapshot, by));
        foreach (var g in grouped.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var first = g.First().Snapshot;
            var group = new Group(
                by.Host ? first.Hostname : null,
                by.Paths ? first.Paths.Order(StringComparer.Ordinal).ToList() : null,
                by.Tags ? first.Tags.Order(StringComparer.Ordinal).ToList() : null);
            var verdicts = policy.Apply(g, s => s.Snapshot.Time, now, TimeZoneInfo.Local)
                .Select(d =>
                {
                    var reasons = d.KeptBy.Select(Describe).ToList();
                    if (lockState.Protects(d.Time, now))
                    {
                        reasons.Add("history lock");
                    }

                    return new Verdict(d.Item, reasons);
                })
                .ToList();
            result.Add((group, verdicts));
        }

        return result;
    }

    private static string GroupKey(Snapshot s, (bool Host, bool Paths, bool Tags) by) =>
        string.Join('\0',
            by.Host ? s.Hostname : "",
            by.Paths ? string.Join('\u0001', s.Paths.Order(StringComparer.Ordinal)) : "",
            by.Tags ? string.Join('\u0001', s.Tags.Order(StringComparer.Ordinal)) : "");

    private static string Describe(RetentionRule rule) => rule switch
    {
        RetentionRule.Last => "last",
        RetentionRule.Hourly => "hourly",
        RetentionRule.Daily => "daily",
        RetentionRule.Weekly => "weekly",
        RetentionRule.Monthly => "monthly",
        RetentionRule.Yearly => "yearly",
        RetentionRule.Within => "within",
        _ => rule.ToString(),
    };

    private static void Report(CliContext ctx, List<(Group Group, List<Verdict> Verdicts)> groups, bool byId, bool dryRun)
    {
        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, groups.Select(g => new ForgetGroupEntry(
                Group: byId ? null : new ForgetGroupKey(g.Group.Host, g.Group.Paths, g.Group.Tags),
                Keep: g.Verdicts.Where(v => v.Keep).Select(Entry).ToArray(),
                Remove: g.Verdicts.Where(v => !v.Keep).Select(Entry).ToArray(),
                DryRun: dryRun)).ToArray(), CliJsonContext.Default.ForgetGroupEntryArray);
            return;
        }

        if (ctx.Quiet)
        {
            return;
        }

        foreach (var (group, verdicts) in groups)
        {
            if (!byId)
            {
                var label = new List<string>();
                if (group.Host is not null) label.Add($"host [{group.Host}]");
                if (group.Paths is not null) label.Add($"paths [{string.Join(", ", group.Paths)}]");
                if (group.Tags is not null) label.Add($"tags [{string.Join(", ", group.Tags)}]");
                ctx.Out.WriteLine(label.Count == 0 ? "all snapshots:" : $"snapshots for {string.Join(", ", label)}:");
                var kept = verdicts.Where(v => v.Keep).ToList();
                ctx.Out.WriteLine($"keep {kept.Count} snapshot(s):");
                Table.Write(ctx.Out, ["ID", "Time", "Host", "Tags", "Reasons", "Paths"], kept.Select(Row).ToList());
                ctx.Out.WriteLine();
            }

            var removed = verdicts.Where(v => !v.Keep).ToList();
            ctx.Out.WriteLine($"{(dryRun ? "would remove" : "remove")} {removed.Count} snapshot(s):");
            if (removed.Count > 0)
            {
                Table.Write(ctx.Out, ["ID", "Time", "Host", "Tags", "Reasons", "Paths"], removed.Select(Row).ToList());
            }

            ctx.Out.WriteLine();
        }
    }

    private static ForgetSnapshotEntry Entry(Verdict v) => new(
        v.Snapshot.Id.ToString(), v.Snapshot.Snapshot.Time, v.Snapshot.Snapshot.Hostname,
        v.Snapshot.Snapshot.Paths, v.Snapshot.Snapshot.Tags, Reasons: v.KeptBy);

    private static string[] Row(Verdict v) =>
    [
        v.Snapshot.Id.ToShortString(), Units.Time(v.Snapshot.Snapshot.Time), v.Snapshot.Snapshot.Hostname,
        string.Join(',', v.Snapshot.Snapshot.Tags), string.Join(", ", v.KeptBy), string.Join(' ', v.Snapshot.Snapshot.Paths),
    ];
}
