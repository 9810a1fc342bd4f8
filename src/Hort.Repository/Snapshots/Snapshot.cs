using Hort.Core;

namespace Hort.Repository.Snapshots;

/// <summary>Counts recorded with a snapshot when it is saved.</summary>
public sealed record SnapshotSummary
{
    public long Files { get; init; }
    public long Directories { get; init; }
    public long OtherEntries { get; init; }
    public long TotalBytes { get; init; }
    public long FilesNew { get; init; }
    public long FilesChanged { get; init; }
    public long FilesUnchanged { get; init; }
    public long BlobsAdded { get; init; }
    public long BytesAdded { get; init; }
    public long StoredBytesAdded { get; init; }
    public long Errors { get; init; }
    public DateTimeOffset Started { get; init; }
    public DateTimeOffset Finished { get; init; }
}

/// <summary>One saved backup: when, of what, from where, and the root tree.</summary>
public sealed record Snapshot
{
    /// <summary>When the backup started.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The root tree; backed-up paths appear under it with their full path components.</summary>
    public required ObjectId Tree { get; init; }

    /// <summary>The paths given to backup, absolute.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    public string Hostname { get; init; } = "";

    public string Username { get; init; } = "";

    public uint Uid { get; init; }

    public uint Gid { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary>The snapshot this one was compared against for change detection, if any.</summary>
    public ObjectId? Parent { get; init; }

    /// <summary>The program and version that wrote it.</summary>
    public string Program { get; init; } = "";

    public SnapshotSummary? Summary { get; init; }
}

/// <summary>A snapshot with the ID it is stored under.</summary>
public sealed record StoredSnapshot(ObjectId Id, Snapshot Snapshot);
