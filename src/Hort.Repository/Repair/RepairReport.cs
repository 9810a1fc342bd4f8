using Hort.Core;
using Hort.Repository.Maintenance;

namespace Hort.Repository.Repair;

/// <summary>How <see cref="Repairer"/> works.</summary>
public sealed record RepairOptions
{
    /// <summary>Find and report what would be done, change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// Read only the pack headers instead of every pack whole: fast, but finds only packs whose header is lost, not
    /// damaged blobs inside intact packs.
    /// </summary>
    public bool HeadersOnly { get; init; }

    /// <summary>Who takes the maintenance lock (shared with prune) while repair changes the repository.</summary>
    public LeaseOwner Owner { get; init; } = LeaseOwner.Current;

    /// <summary>When another lock or a backup's lease counts as abandoned.</summary>
    public LeaseOptions Leases { get; init; } = new();
}

/// <summary>What repair did (or, with a dry run, would do) to one object.</summary>
/// <param name="Kind">salvage, quarantine, write-index, remove-index, mark-snapshot, update-mark, unmark-snapshot</param>
/// <param name="Object">the stored object acted on, e.g. "data/3f/3f2a…" or "snapshot 1a2b3c4d"</param>
/// <param name="Description">what and why, as a sentence fragment</param>
public sealed record RepairAction(string Kind, string Object, string Description)
{
    /// <summary>Paths concerned (for snapshot marks: the files that cannot be restored intact).</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];
}

/// <summary>The outcome of a repair.</summary>
public sealed class RepairReport
{
    public bool DryRun { get; init; }

    public List<RepairAction> Actions { get; } = [];

    /// <summary>Problems repair found but cannot fix (e.g. an unreadable snapshot file); left as they are.</summary>
    public List<string> Warnings { get; } = [];

    public int PacksRead { get; set; }

    public int PacksDamaged { get; set; }

    public long BlobsSalvaged { get; set; }

    /// <summary>Blobs a damaged pack held that no intact copy exists of anywhere.</summary>
    public HashSet<ObjectId> BlobsLost { get; } = [];

    /// <summary>The snapshots that lack data after the repair.</summary>
    public List<SnapshotLoss> DamagedSnapshots { get; } = [];

    public bool ChangedNothing => Actions.Count == 0;
}
