using Hort.Core;
using Hort.Repository;
using Hort.Repository.Chunking;
using Hort.Repository.Format;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;

namespace Hort.Engine.Backup;

/// <summary>
/// Where an <see cref="Archiver"/> saves a snapshot: a repository opened locally (<see cref="RepositoryBackupTarget"/>)
/// or a server's backup session (the agent's implementation). It names and splits content like the repository does,
/// gives the parent snapshot's trees, and stores the snapshot once every blob it references is durable.
/// </summary>
public interface IBackupTarget
{
    /// <summary>The clock the snapshot's times come from.</summary>
    TimeProvider Time { get; }

    /// <summary>A new chunker with the repository's gear table and sizes.</summary>
    Chunker CreateChunker();

    /// <summary>The ID of a blob's plaintext.</summary>
    ObjectId ComputeId(ReadOnlySpan<byte> plaintext);

    /// <summary>A tree of the parent snapshot (change detection only; a failure costs re-reading files).</summary>
    Task<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken);

    /// <summary>A writer for the blobs of one backup run.</summary>
    IBackupWriter OpenWriter();

    /// <summary>Stores the snapshot after the writer was flushed; returns its ID.</summary>
    Task<ObjectId> SaveSnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken);
}

/// <summary>Adds the blobs of one backup run, skipping those already stored (see <see cref="BlobWriter"/>).</summary>
public interface IBackupWriter : IDisposable
{
    /// <summary>Totals so far.</summary>
    WriterStatistics Statistics { get; }

    /// <summary>True when the blob is known to be stored or queued, so a file referencing it need not be read.</summary>
    bool Has(ObjectId id);

    /// <summary>Stores a blob unless it is already known; returns true when it was new.</summary>
    ValueTask<bool> SaveAsync(BlobType type, ObjectId id, ReadOnlyMemory<byte> raw, CancellationToken cancellationToken);

    /// <summary>Encodes and stores a tree after the blobs it names; returns its ID.</summary>
    ValueTask<ObjectId> SaveTreeAsync(Tree tree, CancellationToken cancellationToken);

    /// <summary>Makes everything saved so far durable.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
