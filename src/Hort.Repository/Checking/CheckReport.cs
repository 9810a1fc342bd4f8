using Hort.Core;

namespace Hort.Repository.Checking;

/// <summary>How thoroughly <see cref="Checker"/> works.</summary>
public sealed record CheckOptions
{
    /// <summary>Read every pack and verify every blob (decrypt, decompress, compare with its ID).</summary>
    public bool ReadData { get; init; }

    /// <summary>Read and verify only these packs' data (a rotating or fixed part); ignored when <see cref="ReadData"/> is set.</summary>
    public DataSubset? ReadDataSubset { get; init; }
}

/// <summary>One damaged or missing object and the snapshot paths that depend on it.</summary>
public sealed record CheckProblem(string Object, string Description)
{
    /// <summary>"snapshot 1a2b3c4d: /home/anna/report.docx" lines for every path that cannot be restored intact.</summary>
    public List<string> Affected { get; } = [];

    /// <summary>The blobs (data or tree) this problem makes unreadable; they decide <see cref="Affected"/>.</summary>
    public HashSet<ObjectId> Blobs { get; } = [];

    /// <summary>True when a repair record already lists every blob of this problem for every snapshot it affects.</summary>
    public bool Known { get; set; }
}

/// <summary>A progress update: what is being checked and how far along.</summary>
public sealed record CheckProgress(string Phase, long Done, long Total);

/// <summary>The outcome of a check: errors (damage) and notes (harmless findings).</summary>
public sealed class CheckReport
{
    /// <summary>Every problem found, including <see cref="CheckProblem.Known"/> ones already recorded by repair.</summary>
    public List<CheckProblem> Problems { get; } = [];

    /// <summary>Problems that are new: not yet recorded by a repair.</summary>
    public IReadOnlyList<CheckProblem> Errors => Problems.Where(p => !p.Known).ToList();

    /// <summary>Damage that repair has already recorded for the snapshots it affects.</summary>
    public IReadOnlyList<CheckProblem> KnownDamage => Problems.Where(p => p.Known).ToList();

    public List<string> Notes { get; } = [];

    public int SnapshotsChecked { get; set; }

    public int TreesChecked { get; set; }

    /// <summary>Number of packs in the repository when the check listed them.</summary>
    public int PacksTotal { get; set; }

    public int PacksRead { get; set; }

    public long BlobsVerified { get; set; }

    /// <summary>With a rotating subset: where the next run continues (the last pack read), to be kept by the caller.</summary>
    public ObjectId? NextSubsetCursor { get; set; }

    /// <summary>Snapshots a repair has marked as damaged (their damage records).</summary>
    public List<Snapshots.DamageRecord> DamagedSnapshots { get; } = [];

    /// <summary>IDs of blobs found missing or damaged.</summary>
    public HashSet<ObjectId> DamagedBlobs { get; } = [];

    public bool IsClean => Problems.TrueForAll(p => p.Known);
}
