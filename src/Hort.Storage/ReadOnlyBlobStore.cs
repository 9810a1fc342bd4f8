namespace Hort.Storage;

/// <summary>Wraps a store so that nothing can be written or removed through it (nor a put begun); reads pass through.</summary>
public sealed class ReadOnlyBlobStore : IBlobStore
{
    private const string Refusal = "the repository is opened read-only";

    private readonly IBlobStore _inner;

    public ReadOnlyBlobStore(IBlobStore inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <inheritdoc />
    public string Location => _inner.Location;

    /// <inheritdoc />
    public Task PutAsync(BlobName name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        Task.FromException(new InvalidOperationException(Refusal));

    /// <inheritdoc />
    public IStagedBlob BeginPut(BlobKind kind) => throw new InvalidOperationException(Refusal);

    /// <inheritdoc />
    public Task<byte[]> GetAsync(BlobName name, CancellationToken cancellationToken = default) =>
        _inner.GetAsync(name, cancellationToken);

    /// <inheritdoc />
    public Task<int> ReadAsync(BlobName name, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(name, offset, buffer, cancellationToken);

    /// <inheritdoc />
    public Task<BlobInfo?> StatAsync(BlobName name, CancellationToken cancellationToken = default) =>
        _inner.StatAsync(name, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<BlobInfo> ListAsync(BlobKind kind, CancellationToken cancellationToken = default) =>
        _inner.ListAsync(kind, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAsync(BlobName name, CancellationToken cancellationToken = default) =>
        Task.FromException(new InvalidOperationException(Refusal));
}
