namespace Hort.Storage;

/// <summary>
/// A flat store of immutable, named blobs: the only thing a repository needs from its storage.
/// </summary>
/// <remarks>
/// Every implementation gives these guarantees; the conformance suite checks each of them.
/// <list type="number">
/// <item><b>Atomic put.</b> A reader sees either no blob or the complete blob, never a prefix, even if the writer
/// is killed or the power fails during <see cref="PutAsync"/>.</item>
/// <item><b>Durable when acknowledged.</b> When <see cref="PutAsync"/> completes, the blob survives a crash or power
/// loss (file and directory entry are flushed to stable storage).</item>
/// <item><b>Read-after-write.</b> Once <see cref="PutAsync"/> completes, <see cref="GetAsync"/>, <see cref="ReadAsync"/>,
/// <see cref="StatAsync"/> and <see cref="ListAsync"/> see the blob; after <see cref="DeleteAsync"/> they do not.</item>
/// <item><b>Replace is whole.</b> Putting an existing name replaces it atomically. Hort names almost all blobs by the
/// hash of their content, so a repeated put writes identical bytes.</item>
/// <item><b>Clear errors.</b> A missing blob raises <see cref="BlobNotFoundException"/>; a full device raises
/// <see cref="StorageFullException"/>; a put that fails leaves no blob and no partial blob visible under its name.</item>
/// <item><b>Safe concurrency.</b> All members may be called concurrently from several threads and several processes.</item>
/// <item><b>Staged puts are puts.</b> A put begun with <see cref="BeginPut"/> is invisible under any name until its
/// <see cref="IStagedBlob.CommitAsync"/> completes, which gives every guarantee of <see cref="PutAsync"/>; one that is
/// abandoned (disposed uncommitted) or fails leaves nothing behind, and a full device raises
/// <see cref="StorageFullException"/> from the append or the commit that met it.</item>
/// <item><b>Listing is complete.</b> <see cref="ListAsync"/> returns every blob of the kind that existed when it started
/// and was not deleted meanwhile, each exactly once; a listing that cannot complete throws instead of returning less.</item>
/// </list>
/// </remarks>
public interface IBlobStore
{
    /// <summary>A human-readable location, e.g. a directory path; never contains credentials.</summary>
    string Location { get; }

    /// <summary>Stores <paramref name="content"/> under <paramref name="name"/>, atomically and durably.</summary>
    Task PutAsync(BlobName name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts a put of a <paramref name="kind"/> blob whose bytes are appended piece by piece and whose name is given at
    /// the end. This default collects the bytes in memory and calls <see cref="PutAsync"/> on commit, so a wrapper store
    /// keeps its put's behaviour; a store that can write straight to its storage overrides it.
    /// </summary>
    IStagedBlob BeginPut(BlobKind kind) => new BufferedStagedBlob(this, kind);

    /// <summary>Reads a whole blob.</summary>
    Task<byte[]> GetAsync(BlobName name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads <paramref name="buffer"/>.Length bytes starting at <paramref name="offset"/>; returns the number read,
    /// which is less than requested only when the blob ends first.
    /// </summary>
    Task<int> ReadAsync(BlobName name, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>The blob's size, or null when it does not exist.</summary>
    Task<BlobInfo?> StatAsync(BlobName name, CancellationToken cancellationToken = default);

    /// <summary>Every blob of <paramref name="kind"/>, in no particular order.</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(BlobKind kind, CancellationToken cancellationToken = default);

    /// <summary>Removes a blob; removing a missing blob is not an error.</summary>
    Task DeleteAsync(BlobName name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes what interrupted puts left behind (a local store's <c>.tmp-</c> files) if untouched for longer than
    /// <paramref name="olderThan"/>, and returns how many went. A younger one may belong to a put still running. This
    /// default has nothing to remove: a store whose failed puts leave nothing, or a wrapper that must not delete,
    /// keeps it.
    /// </summary>
    Task<int> CleanTemporaryFilesAsync(TimeSpan olderThan, CancellationToken cancellationToken = default) => Task.FromResult(0);
}
