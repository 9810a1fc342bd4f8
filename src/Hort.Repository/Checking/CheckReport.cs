using Hort.Core;

namespace Hort.Repository.Checking;

/// <summary>How thoroughly <see cref="Checker"/> works.</summary>
public sealed record CheckOptions
{
    /// <summary>Read every pack and verify every blob (decrypt, decompress, compare with its ID).</summary>
    public bool ReadData { get; init; }
}

/// <summary>One damaged or missing object and the snapshot paths that depend on it.</summary>
public sealed record CheckProblem(string Object, string Description)
{
    /// <summary>"snapshot 1a2b3c4d: /home/anna/report.docx" lines for every path that cannot be restored intact.</summary>
    public List<string> Affected { get; } = [];
}

/// <summary>A progress update: what is being checked and how far along.</summary>
public sealed record CheckProgress(string Phase, long Done, long Total);

/// <summary>The outcome of a check: errors (damage) and notes (harmless findings).</summary>
public sealed class CheckReport
{
    public List<CheckProblem> Errors { get; } = [];

    public List<string> Notes { get; } = [];

    public int SnapshotsChecked { get; set; }

    public int TreesChecked { get; set; }

    public int PacksRead { get; set; }

    public long BlobsVerified { get; set; }

    /// <summary>IDs of blobs found missing or damaged.</summary>
    public HashSet<ObjectId> DamagedBlobs { get; } = [];

    public bool IsClean => Errors.Count == 0;
}
