using Hort.Storage;

namespace Hort.Repository.Tests.RepositoryApi;

/// <summary>Passes everything to an inner store, but holds pack uploads until the test opens the gate.</summary>
internal sealed class GatedBlobStore(IBlobStore inner) : IBlobStore
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first pack upload reached the gate.</summary>
    public TaskCompletionSource PackUploadWaiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>While true, pack uploads wait at the gate.</summary>
    public bool HoldPacks { get; set; }

    public string Location => inner.Location;

    public void Open() => _gate.TrySetResult();

    public async Task PutAsync(BlobName name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        if (HoldPacks && name.Kind == BlobKind.Pack)
        {
            PackUploadWaiting.TrySetResult();
            await _gate.Task.WaitAsync(cancellationToken);
        }

        await inner.PutAsync(name, content, cancellationToken);
    }

    public Task<byte[]> GetAsync(BlobName name, CancellationToken cancellationToken = default) => inner.GetAsync(name, cancellationToken);

    public Task<int> ReadAsync(BlobName name, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(name, offset, buffer, cancellationToken);

    public Task<BlobInfo?> StatAsync(BlobName name, CancellationToken cancellationToken = default) => inner.StatAsync(name, cancellationToken);

    public IAsyncEnumerable<BlobInfo> ListAsync(BlobKind kind, CancellationToken cancellationToken = default) => inner.ListAsync(kind, cancellationToken);

    public Task DeleteAsync(BlobName name, CancellationToken cancellationToken = default) => inner.DeleteAsync(name, cancellationToken);
}
