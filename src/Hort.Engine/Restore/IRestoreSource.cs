using System.Buffers;
using Hort.Core;
using Hort.Repository;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Trees;

namespace Hort.Engine.Restore;

/// <summary>
/// Where a <see cref="Restorer"/> reads a snapshot's trees and chunks: a repository opened locally
/// (<see cref="RepositoryRestoreSource"/>) or a server's ownership-checked routes (the agent's implementation).
/// Damaged or missing content is reported as <see cref="RepositoryCorruptException"/>, so the restore goes on.
/// </summary>
public interface IRestoreSource
{
    Task<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken);

    Task<byte[]> LoadBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken);

    /// <summary>
    /// As <see cref="LoadBlobAsync"/>, into a buffer rented from <see cref="ArrayPool{T}.Shared"/> (the blob is its first
    /// <c>Length</c> bytes; the caller returns it). Sources that can read straight into pooled memory override this.
    /// </summary>
    async Task<(byte[] Buffer, int Length)> RentBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken)
    {
        var blob = await LoadBlobAsync(type, id, cancellationToken).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(blob.Length, 1));
        blob.CopyTo(buffer, 0);
        return (buffer, blob.Length);
    }

    /// <summary>
    /// How this source reads many chunks at once, when it can: a restore then plans batches of files and has each
    /// batch's chunks read together. Null for sources that fetch blob by blob.
    /// </summary>
    IPlannedReads? PlannedReads => null;
}

/// <summary>
/// Reads a restore's chunks in planned batches: first where each one is (above all, its plaintext length, which places
/// it in its files), then all of a batch's chunks in one go, in the order the source reads best.
/// </summary>
public interface IPlannedReads
{
    /// <summary>
    /// Locates data chunks: for each ID in order, its location (<c>Entry.Id</c> and <c>Entry.RawLength</c> are what a
    /// restore uses) or the <see cref="RepositoryCorruptException"/> a load of it would raise.
    /// </summary>
    Task<IReadOnlyList<LocatedBlob>> LocateAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken);

    /// <summary>
    /// Reads located chunks into <paramref name="sink"/>, each distinct one once and checked against its ID, in any
    /// order; a chunk that cannot be read reaches <see cref="IBlobSink.Fail"/> and the others go on.
    /// </summary>
    Task ReadAsync(IReadOnlyList<BlobLocation> blobs, IBlobSink sink, int parallelism, CancellationToken cancellationToken);
}

/// <summary>A chunk's location, or why it has none.</summary>
public readonly record struct LocatedBlob(BlobLocation Location, RepositoryCorruptException? Error);

/// <summary>Restores from a repository opened on this machine (its index must be loaded).</summary>
public sealed class RepositoryRestoreSource(HortRepository repository) : IRestoreSource, IPlannedReads
{
    /// <summary>Reads by pack (<see cref="HortRepository.ReadBlobsAsync"/>): each pack's needed ranges once.</summary>
    public IPlannedReads PlannedReads => this;

    public Task<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken) => repository.LoadTreeAsync(id, cancellationToken);

    public Task<byte[]> LoadBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken) =>
        repository.LoadBlobAsync(type, id, cancellationToken);

    public Task<(byte[] Buffer, int Length)> RentBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken) =>
        repository.RentBlobAsync(type, id, cancellationToken);

    public Task<IReadOnlyList<LocatedBlob>> LocateAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken)
    {
        var located = new LocatedBlob[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            try
            {
                located[i] = new LocatedBlob(repository.LocateBlob(BlobType.Data, ids[i]), null);
            }
            catch (RepositoryCorruptException e)
            {
                located[i] = new LocatedBlob(default, e);
            }
        }

        return Task.FromResult<IReadOnlyList<LocatedBlob>>(located);
    }

    public Task ReadAsync(IReadOnlyList<BlobLocation> blobs, IBlobSink sink, int parallelism, CancellationToken cancellationToken) =>
        repository.ReadBlobsAsync(blobs, sink, parallelism, cancellationToken);
}
