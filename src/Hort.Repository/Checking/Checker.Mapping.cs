using Hort.Core;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;

namespace Hort.Repository.Checking;

public sealed partial class Checker
{
    /// <summary>Fills every problem's <see cref="CheckProblem.Affected"/> with the snapshot paths its blobs make unreadable.</summary>
    private async Task<DamageMapping> MapDamageAsync(CheckReport report, List<StoredSnapshot> snapshots, CancellationToken ct)
    {
        var mapping = new DamageMapping(report.DamagedBlobs, _badNames);
        if (report.DamagedBlobs.Count == 0 && _badNames.Count == 0)
        {
            return mapping;
        }

        foreach (var s in snapshots)
        {
            await MapTreeAsync(mapping, s.Id, s.Snapshot.Tree, "", ct).ConfigureAwait(false);
        }

        foreach (var problem in report.Problems)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var blob in problem.Blobs)
            {
                if (mapping.Lines.TryGetValue(blob, out var lines))
                {
                    problem.Affected.AddRange(lines.Where(seen.Add));
                }
            }
        }

        return mapping;
    }

    /// <summary>
    /// Marks as known the problems a repair has already recorded: every blob of the problem is listed as missing in
    /// the damage record of every snapshot it affects. Those snapshots are reported, the check stays clean.
    /// </summary>
    private async Task MarkKnownDamageAsync(CheckReport report, List<StoredSnapshot> snapshots, DamageMapping mapping, CancellationToken ct)
    {
        var (records, unreadable) = await _repository.LoadDamageRecordsAsync(ct).ConfigureAwait(false);
        foreach (var (name, problem) in unreadable)
        {
            AddProblem(report, name, problem + " ('hort repair' writes it again)");
        }

        var existing = snapshots.Select(s => s.Id).ToHashSet();
        foreach (var (snapshot, record) in records)
        {
            if (!existing.Contains(snapshot))
            {
                report.Notes.Add($"damage/{snapshot} belongs to a snapshot that no longer exists; the next 'hort repair' removes it");
                continue;
            }

            report.DamagedSnapshots.Add(record);
        }

        foreach (var problem in report.Problems)
        {
            problem.Known = problem.Blobs.Count > 0 && problem.Blobs.All(blob =>
                mapping.Snapshots.TryGetValue(blob, out var affected)
                && affected.All(s => records.TryGetValue(s, out var r) && r.MissingBlobs.Contains(blob)));
        }
    }

    private async Task MapTreeAsync(DamageMapping mapping, ObjectId snapshot, ObjectId treeId, string path, CancellationToken ct)
    {
        var label = $"snapshot {snapshot.ToShortString()}";
        var shown = path.Length == 0 ? "/" : path;
        if (mapping.Damaged.Contains(treeId))
        {
            mapping.Add(treeId, snapshot, $"{label}: {shown} (directory listing lost)");
            return;
        }

        if (!await LeadsToDamageAsync(mapping, treeId, ct).ConfigureAwait(false))
        {
            return;
        }

        var tree = await _repository.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
        if (mapping.BadNames.TryGetValue(treeId, out var bad))
        {
            foreach (var node in bad)
            {
                mapping.Add(treeId, snapshot, $"{label}: {path}/{node.DisplayName.Replace("\0", "\\x00", StringComparison.Ordinal)} (name not allowed; restore skips it)");
            }
        }

        foreach (var node in tree.Nodes)
        {
            var childPath = path + "/" + node.DisplayName;
            if (node.Type == NodeType.Directory)
            {
                await MapTreeAsync(mapping, snapshot, node.Subtree, childPath, ct).ConfigureAwait(false);
                continue;
            }

            foreach (var chunk in node.Content.Distinct())
            {
                if (mapping.Damaged.Contains(chunk))
                {
                    mapping.Add(chunk, snapshot, $"{label}: {childPath}");
                }
            }
        }
    }

    /// <summary>True when the tree, or any tree below it, is damaged, names damaged data or holds names restore refuses.</summary>
    private async Task<bool> LeadsToDamageAsync(DamageMapping mapping, ObjectId treeId, CancellationToken ct)
    {
        if (mapping.Damaged.Contains(treeId) || mapping.BadNames.ContainsKey(treeId))
        {
            return true;
        }

        if (mapping.Leads.TryGetValue(treeId, out var known))
        {
            return known;
        }

        Tree tree;
        try
        {
            tree = await _repository.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
        }
        catch (HortException)
        {
            mapping.Damaged.Add(treeId);
            return true;
        }

        var leads = false;
        foreach (var node in tree.Nodes)
        {
            if (node.Content.Any(mapping.Damaged.Contains)
                || (node.Type == NodeType.Directory && await LeadsToDamageAsync(mapping, node.Subtree, ct).ConfigureAwait(false)))
            {
                leads = true;
                break;
            }
        }

        mapping.Leads[treeId] = leads;
        return leads;
    }

    private sealed class DamageMapping(HashSet<ObjectId> damaged, Dictionary<ObjectId, List<TreeNode>> badNames)
    {
        public HashSet<ObjectId> Damaged { get; } = damaged;

        public Dictionary<ObjectId, List<TreeNode>> BadNames { get; } = badNames;

        public Dictionary<ObjectId, bool> Leads { get; } = [];

        public Dictionary<ObjectId, List<string>> Lines { get; } = [];

        /// <summary>Blob → the snapshots it makes incomplete.</summary>
        public Dictionary<ObjectId, HashSet<ObjectId>> Snapshots { get; } = [];

        public void Add(ObjectId blob, ObjectId snapshot, string line)
        {
            if (!Snapshots.TryGetValue(blob, out var set))
            {
                Snapshots[blob] = set = [];
            }

            set.Add(snapshot);
            if (!Lines.TryGetValue(blob, out var list))
            {
                Lines[blob] = list = [];
            }

            list.Add(line);
        }
    }
}
