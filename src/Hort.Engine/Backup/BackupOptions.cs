using Hort.Core;
using Hort.Repository.Snapshots;

namespace Hort.Engine.Backup;

/// <summary>What to back up and how to label the snapshot.</summary>
public sealed record BackupOptions
{
    /// <summary>Files and directories to save (made absolute).</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    public string Hostname { get; init; } = Environment.MachineName;

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Exclude patterns (see <see cref="Filtering.ExcludeFilter"/>).</summary>
    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary>Skip the contents of directories holding a valid CACHEDIR.TAG.</summary>
    public bool ExcludeCaches { get; init; }

    /// <summary>Earlier snapshot whose unchanged files need not be read again.</summary>
    public StoredSnapshot? Parent { get; init; }

    /// <summary>Files processed in parallel (each on its own thread).</summary>
    public int Parallelism { get; init; } = Math.Max(2, Environment.ProcessorCount);

    /// <summary>
    /// Called after every blob is durable and right before the snapshot is written; throwing stops the commit.
    /// Backups use it to make sure their lease is still held, so prune cannot have deleted anything they use.
    /// </summary>
    public Func<CancellationToken, Task>? BeforeCommit { get; init; }
}

/// <summary>A progress update of a running backup.</summary>
public sealed record BackupProgress(
    long FilesDone, long BytesDone, long FilesTotal, long BytesTotal, bool ScanFinished, long Errors, string? CurrentPath);

/// <summary>A file or directory that could not be saved completely, and why.</summary>
public sealed record BackupIssue(string Path, string Message);

/// <summary>The saved snapshot and every problem met on the way.</summary>
public sealed record BackupResult(ObjectId SnapshotId, Snapshot Snapshot, IReadOnlyList<BackupIssue> Issues);
