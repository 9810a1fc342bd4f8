using System.Buffers;
using Hort.Core;
using Hort.Repository;
using Hort.Repository.Format;
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
    /// The repository behind this source when it is opened on this machine: a restore then plans its reads by pack
    /// (<see cref="HortRepository.ReadBlobsAsync"/>). Null for sources that fetch blob by blob.
    /// </summary>
    HortRepository? Repository => null;
}

/// <summary>Restores from a repository opened on this machine (its index must be loaded).</summary>
public sealed class RepositoryRestoreSource(HortRepository repository) : IRestoreSource
{
    public HortRepository Repository => repository;

    public Task<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken) => repository.LoadTreeAsync(id, cancellationToken);

    public Task<byte[]> LoadBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken) =>
        repository.LoadBlobAsync(type, id, cancellationToken);

    public Task<(byte[] Buffer, int Length)> RentBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken) =>
        repository.RentBlobAsync(type, id, cancellationToken);
}
