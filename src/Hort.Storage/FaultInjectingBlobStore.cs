using System.Runtime.CompilerServices;

namespace Hort.Storage;

/// <summary>
/// Wraps a store to count operations and make a chosen one fail, or to flip a bit in what is read, so that tests can
/// show how the layers above behave when storage breaks.
/// </summary>
/// <remarks>
/// A failure happens before the operation reaches the inner store, so a failed put stores nothing; it surfaces as a
/// faulted task, as a real store's error would. A staged put (<see cref="BeginPut"/>) is begun in the inner store; each
/// append counts as a <see cref="BlobOperations.Write"/> and the commit as a <see cref="BlobOperations.Put"/>, and one
/// that fails abandons the inner staged put, as a real store's failed append or commit does.
/// </remarks>
public sealed class FaultInjectingBlobStore : IBlobStore
{
    private readonly IBlobStore _inner;
    private FaultInjectionOptions _options;
    private long _operationCount;
    private long _faultsInjected;

    public FaultInjectingBlobStore(IBlobStore inner, FaultInjectionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _options = options ?? FaultInjectionOptions.None;
    }

    /// <summary>
    /// The faults in force. Replace them at any time; <see cref="FaultInjectionOptions.FailAt"/> always refers to
    /// <see cref="OperationCount"/>, so to fail the next operation set it to <c>OperationCount + 1</c>.
    /// </summary>
    public FaultInjectionOptions Options
    {
        get => Volatile.Read(ref _options);
        set => Volatile.Write(ref _options, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>How many counted operations have been started, including those that failed.</summary>
    public long OperationCount => Interlocked.Read(ref _operationCount);

    /// <summary>How many operations were made to fail.</summary>
    public long FaultsInjected => Interlocked.Read(ref _faultsInjected);

    /// <inheritdoc />
    public string Location => _inner.Location;

    /// <inheritdoc />
    public async Task PutAsync(BlobName name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        Enter(BlobOperations.Put);
        await _inner.PutAsync(name, content, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public IStagedBlob BeginPut(BlobKind kind) => new FaultingStagedBlob(this, _inner.BeginPut(kind));

    /// <inheritdoc />
    public async Task<byte[]> GetAsync(BlobName name, CancellationToken cancellationToken = default)
    {
        var options = Enter(BlobOperations.Get);
        var content = await _inner.GetAsync(name, cancellationToken).ConfigureAwait(false);
        Corrupt(options, name, 0, content);
        return content;
    }

    /// <inheritdoc />
    public async Task<int> ReadAsync(BlobName name, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var options = Enter(BlobOperations.Read);
        var read = await _inner.ReadAsync(name, offset, buffer, cancellationToken).ConfigureAwait(false);
        Corrupt(options, name, offset, buffer.Span[..read]);
        return read;
    }

    /// <inheritdoc />
    public async Task<BlobInfo?> StatAsync(BlobName name, CancellationToken cancellationToken = default)
    {
        Enter(BlobOperations.Stat);
        return await _inner.StatAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(
        BlobKind kind, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Enter(BlobOperations.List);
        await foreach (var blob in _inner.ListAsync(kind, cancellationToken).ConfigureAwait(false))
        {
            yield return blob;
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(BlobName name, CancellationToken cancellationToken = default)
    {
        Enter(BlobOperations.Delete);
        await _inner.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<int> CleanTemporaryFilesAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        Enter(BlobOperations.Delete);
        return await _inner.CleanTemporaryFilesAsync(olderThan, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts the operation if it is counted and throws if it is the one chosen to fail.</summary>
    private FaultInjectionOptions Enter(BlobOperations operation)
    {
        var options = Options;
        if ((options.CountedOperations & operation) == 0)
        {
            return options;
        }

        var number = Interlocked.Increment(ref _operationCount);
        var fails = options.FailAt > 0
            && (number == options.FailAt || (options.KeepFailing && number > options.FailAt));
        if (!fails)
        {
            return options;
        }

        Interlocked.Increment(ref _faultsInjected);
        throw options.Fault switch
        {
            InjectedFault.StorageFull => new StorageFullException(_inner.Location),
            _ => new IOException("injected I/O error"),
        };
    }

    private static void Corrupt(FaultInjectionOptions options, BlobName name, long offset, Span<byte> read)
    {
        if (options.CorruptBit is not { } bit || (options.CorruptBlob is { } only && only != name))
        {
            return;
        }

        var index = bit / 8 - offset;
        if (index >= 0 && index < read.Length)
        {
            read[(int)index] ^= (byte)(1 << (int)(bit % 8));
        }
    }

    private sealed class FaultingStagedBlob(FaultInjectingBlobStore store, IStagedBlob inner) : IStagedBlob
    {
        private bool _abandoned;

        public long Length => inner.Length;

        public void Write(ReadOnlySpan<byte> bytes)
        {
            ThrowIfAbandoned();
            try
            {
                store.Enter(BlobOperations.Write);
            }
            catch
            {
                Dispose();
                throw;
            }

            inner.Write(bytes);
        }

        public async Task CommitAsync(BlobName name, CancellationToken cancellationToken = default)
        {
            ThrowIfAbandoned();
            try
            {
                store.Enter(BlobOperations.Put);
            }
            catch
            {
                Dispose();
                throw;
            }

            await inner.CommitAsync(name, cancellationToken).ConfigureAwait(false);
        }

        public void Dispose()
        {
            _abandoned = true;
            inner.Dispose();
        }

        private void ThrowIfAbandoned()
        {
            if (_abandoned)
            {
                throw new InvalidOperationException(StagedPut.Closed);
            }
        }
    }
}
