using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Hort.Storage;

/// <summary>A blob store held in memory, for tests; stores and hands out copies so no caller can alter stored bytes.</summary>
public sealed class InMemoryBlobStore : IBlobStore
{
    private static int s_instances;

    private readonly ConcurrentDictionary<BlobName, byte[]> _blobs = new();

    public InMemoryBlobStore()
    {
        Location = $"memory:{Interlocked.Increment(ref s_instances)}";
    }

    /// <inheritdoc />
    public string Location { get; }

    /// <summary>How many blobs are stored, of every kind.</summary>
    public int Count => _blobs.Count;

    /// <inheritdoc />
    public Task PutAsync(BlobName name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        _blobs[name] = content.ToArray();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<byte[]> GetAsync(BlobName name, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<byte[]>(cancellationToken);
        }

        return _blobs.TryGetValue(name, out var content)
            ? Task.FromResult(content.AsSpan().ToArray())
            : Task.FromException<byte[]>(new BlobNotFoundException(name));
    }

    /// <inheritdoc />
    public Task<int> ReadAsync(BlobName name, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<int>(cancellationToken);
        }

        if (!_blobs.TryGetValue(name, out var content))
        {
            return Task.FromException<int>(new BlobNotFoundException(name));
        }

        if (offset >= content.Length)
        {
            return Task.FromResult(0);
        }

        var count = (int)Math.Min(buffer.Length, content.Length - offset);
        content.AsSpan((int)offset, count).CopyTo(buffer.Span);
        return Task.FromResult(count);
    }

    /// <inheritdoc />
    public Task<BlobInfo?> StatAsync(BlobName name, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<BlobInfo?>(cancellationToken);
        }

        return Task.FromResult(_blobs.TryGetValue(name, out var content) ? new BlobInfo(name, content.Length) : null);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(
        BlobKind kind, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // ToArray takes a consistent snapshot, so each blob appears exactly once even while others are written.
        var snapshot = _blobs.ToArray();
        await Task.Yield();
        foreach (var (name, content) in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (name.Kind == kind)
            {
                yield return new BlobInfo(name, content.Length);
            }
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(BlobName name, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        _blobs.TryRemove(name, out _);
        return Task.CompletedTask;
    }
}
