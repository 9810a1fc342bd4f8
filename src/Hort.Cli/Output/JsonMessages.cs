using System.Text.Json.Serialization;
using Hort.Repository.Snapshots;

namespace Hort.Cli.Output;

// The shapes of the --json output, one record per document or entry. Scripts rely on these names (snake_case in the
// output), their order and value types, so a change here is a change of the CLI's interface (docs/cli.md).

/// <summary><c>init</c>: the new repository.</summary>
internal sealed record InitializedMessage(string Id, string Repository)
{
    [JsonPropertyOrder(-1)]
    public string MessageType => "initialized";
}

/// <summary><c>backup</c>: what the new snapshot holds and added.</summary>
internal sealed record BackupSummaryMessage(
    string SnapshotId, long FilesNew, long FilesChanged, long FilesUnchanged, long Directories, long OtherEntries,
    long DataBlobsAdded, long DataAdded, long DataAddedStored, long TotalFilesProcessed, long TotalBytesProcessed,
    double TotalDuration, IReadOnlyList<FileIssueEntry> Errors)
{
    [JsonPropertyOrder(-1)]
    public string MessageType => "summary";
}

/// <summary><c>restore</c>: what was written.</summary>
internal sealed record RestoreSummaryMessage(
    string SnapshotId, long FilesRestored, long DirectoriesRestored, long OtherRestored, long BytesRestored,
    double TotalDuration, IReadOnlyList<FileIssueEntry> Errors)
{
    [JsonPropertyOrder(-1)]
    public string MessageType => "summary";
}

/// <summary>A file that backup could not read or restore could not write completely.</summary>
internal sealed record FileIssueEntry(string Path, string Message);

/// <summary><c>snapshots</c>: one snapshot.</summary>
internal sealed record SnapshotEntry(
    string Id, string ShortId, DateTimeOffset Time, string Tree, IReadOnlyList<string> Paths, string Hostname, string Username,
    IReadOnlyList<string> Tags, string? Parent, SnapshotSummary? Summary, bool Damaged, IReadOnlyList<string>? DamagedPaths);

/// <summary><c>ls</c>: one entry of a snapshot.</summary>
internal sealed record NodeEntry(
    string Path, string Name, string Type, string Mode, uint Uid, uint Gid, string User, string Group, ulong Size,
    DateTimeOffset Mtime, string? LinkTarget);

/// <summary><c>diff</c>: one changed path; <see cref="Modifier"/> is +, -, M, T or U.</summary>
internal sealed record DiffChangeMessage(string Path, string Modifier)
{
    [JsonPropertyOrder(-1)]
    public string MessageType => "change";
}

/// <summary><c>diff</c>: the counts, after the last change.</summary>
internal sealed record DiffStatisticsMessage(int Added, int Removed, int Modified, int TypeChanged, int MetadataChanged)
{
    [JsonPropertyOrder(-1)]
    public string MessageType => "statistics";
}

/// <summary><c>check</c>: the outcome.</summary>
internal sealed record CheckMessage(
    bool IsClean, int SnapshotsChecked, int TreesChecked, int PacksTotal, int PacksRead, long BlobsVerified, string? ReadDataSubset,
    IReadOnlyList<CheckProblemEntry> Errors, IReadOnlyList<CheckProblemEntry> KnownDamage,
    IReadOnlyList<DamagedSnapshotEntry> DamagedSnapshots, IReadOnlyList<string> Notes)
{
    [JsonPropertyOrder(-1)]
    public string MessageType => "check";
}

/// <summary>A damaged or missing object and the snapshot paths it affects.</summary>
internal sealed record CheckProblemEntry(string Object, string Description, IReadOnlyList<string> Affected);

/// <summary>A snapshot a repair has marked damaged.</summary>
internal sealed record DamagedSnapshotEntry(string Snapshot, DateTimeOffset RepairedAt, IReadOnlyList<string> Paths);

/// <summary><c>repair</c>: what it did or, with --dry-run, would do.</summary>
internal sealed record RepairMessage(
    bool DryRun, int PacksRead, int PacksDamaged, long BlobsSalvaged, int BlobsLost, IReadOnlyList<RepairActionEntry> Actions,
    IReadOnlyList<SnapshotLossEntry> DamagedSnapshots, IReadOnlyList<string> Warnings)
{
    [JsonPropertyOrder(-1)]
    public string MessageType => "repair";
}

/// <summary>One action of a repair.</summary>
internal sealed record RepairActionEntry(string Kind, string Object, string Description, IReadOnlyList<string> Paths);

/// <summary>A snapshot that lacks data after a repair.</summary>
internal sealed record SnapshotLossEntry(string Snapshot, IReadOnlyList<string> Paths);

/// <summary><c>key list</c>: one key.</summary>
internal sealed record KeyEntry(string Id, bool Current, DateTimeOffset Created, string Hostname, string Username);

/// <summary><c>lock show|set</c>: the history lock.</summary>
internal sealed record HistoryLockMessage(int EffectiveDays, int RequestedDays, DateTimeOffset? LowersAt, IReadOnlyList<HistoryLockRecordEntry> Records)
{
    [JsonPropertyOrder(-1)]
    public string MessageType => "history_lock";
}

/// <summary>One request to set the history lock.</summary>
internal sealed record HistoryLockRecordEntry(int Days, DateTimeOffset Requested, string Hostname, string Username);

/// <summary><c>forget</c>: one group of snapshots and the verdict on each; <see cref="Group"/> is null when forgetting by ID.</summary>
internal sealed record ForgetGroupEntry(ForgetGroupKey? Group, IReadOnlyList<ForgetSnapshotEntry> Keep, IReadOnlyList<ForgetSnapshotEntry> Remove, bool DryRun);

/// <summary>What the snapshots of a forget group share; null for a field not grouped by.</summary>
internal sealed record ForgetGroupKey(string? Host, IReadOnlyList<string>? Paths, IReadOnlyList<string>? Tags);

/// <summary>A snapshot forget keeps (with the reasons) or removes (with none).</summary>
internal sealed record ForgetSnapshotEntry(
    string Id, DateTimeOffset Time, string Hostname, IReadOnlyList<string> Paths, IReadOnlyList<string> Tags, IReadOnlyList<string> Reasons);

/// <summary><c>prune</c>: what it found and did; <see cref="Outcome"/> is completed, deferred, nothing_to_do or dry_run.</summary>
internal sealed record PruneMessage(
    string Outcome, int Snapshots, int PacksTotal, long BytesTotal, int PacksUnindexed, int PacksUnused, long BytesUnused,
    int PacksRepacked, long BytesRepacked, long BytesCopied, int PacksWritten, int IndexFilesReplaced, int PacksDeleted,
    long BytesFreed, int IndexFilesDeleted, int PacksRescued, IReadOnlyList<string> WaitingFor, IReadOnlyList<string> Notes)
{
    [JsonPropertyOrder(-1)]
    public string MessageType => "prune";
}
