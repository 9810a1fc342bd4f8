using System.Buffers;
using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Repository;

/// <summary>What a <see cref="BlobWriter"/> has added to the repository.</summary>
public sealed record WriterStatistics(long BlobsAdded, long RawBytesAdded, long StoredBytesAdded, int PacksWritten);

/// <summary>
/// Adds blobs to a repository: skips blobs already stored or already queued, seals new ones on the calling
/// thread (so several callers compress and encrypt in parallel), fills packs, uploads each full pack, and writes
/// index files for uploaded packs. Blobs are durable and findable only after <see cref="FlushAsync"/>.
/// After any storage failure the writer refuses further work, so a snapshot is never saved over lost blobs.
/// </summary>
public sealed class BlobWriter : IDisposable
{
    private const int PacksPerIndexFile = 8;

    private readonly HortRepository _repository;
    private readonly Lock _pendingLock = new();
    private readonly HashSet<ObjectId> _pending = [];
    private readonly List<Task> _background = [];
    private readonly SemaphoreSlim _packLock = new(1, 1);
    private readonly List<IndexedPack> _unindexed = [];
    private PackWriter _pack;
    private Exception? _failure;
    private long _blobs;
    private long _rawBytes;
    private long _storedBytes;
    private int _packs;

    public BlobWriter(HortRepository repository)
    {
        _repository = repository;
        _pack = NewPack();
    }

    /// <summary>Totals so far.</summary>
    public WriterStatistics Statistics => new(
        Interlocked.Read(ref _blobs), Interlocked.Read(ref _rawBytes), Interlocked.Read(ref _storedBytes), Volatile.Read(ref _packs));

    /// <summary>True when the repository already has the blob or this writer has it queued.</summary>
    public bool Has(ObjectId id)
    {
        if (_repository.Index.Contains(id)) return true;
        lock (_pendingLock)
        {
            return _pending.Contains(id);
        }
    }

    /// <summary>Stores a blob unless it is already known; returns true when it was new.</summary>
    public async ValueTask<bool> SaveAsync(BlobType type, ObjectId id, ReadOnlyMemory<byte> raw, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFailed();
        if (_repository.Index.Contains(id))
        {
            return false;
        }

        lock (_pendingLock)
        {
            if (!_pending.Add(id))
            {
                return false;
            }
        }

        // From here on other callers may be told this blob is queued, so it must reach a pack whatever happens to
        // this caller: a failure marks the writer failed, and a cancelled wait hands the blob to a background task
        // that FlushAsync waits for.
        byte[] envelope;
        int length;
        CompressionKind compression;
        try
        {
            envelope = ArrayPool<byte>.Shared.Rent(BlobCodec.MaxStoredLength(raw.Length));
            length = _repository.Codec.Seal(type, id, raw.Span, envelope, out compression);
        }
        catch (Exception e)
        {
            _failure ??= e;
            throw;
        }

        var sealedBlob = new SealedBlob(type, id, compression, (uint)raw.Length, envelope, length);
        var locked = _packLock.WaitAsync(CancellationToken.None);
        if (!locked.IsCompleted)
        {
            try
            {
                await locked.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                var finishing = AppendWhenLockedAsync(locked, sealedBlob);
                lock (_pendingLock)
                {
                    _background.Add(finishing);
                }

                throw;
            }
        }

        await AppendLockedAsync(sealedBlob, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Appends a sealed blob (the pack lock is held) and uploads the pack when full; releases the lock.</summary>
    private async Task AppendLockedAsync(SealedBlob blob, CancellationToken cancellationToken)
    {
        try
        {
            ThrowIfFailed();
            _pack.AddSealed(blob.Type, blob.Id, blob.Compression, blob.RawLength, blob.Envelope.AsSpan(0, blob.Length));
            Interlocked.Increment(ref _blobs);
            Interlocked.Add(ref _rawBytes, blob.RawLength);
            Interlocked.Add(ref _storedBytes, blob.Length);
            ArrayPool<byte>.Shared.Return(blob.Envelope);
            if (_pack.Length >= _repository.Config.PackSize)
            {
                await UploadCurrentPackAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            _failure ??= e;
            throw;
        }
        finally
        {
            _packLock.Release();
        }
    }

    private async Task AppendWhenLockedAsync(Task locked, SealedBlob blob)
    {
        await locked.ConfigureAwait(false);
        try
        {
            await AppendLockedAsync(blob, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Recorded as the writer's failure; FlushAsync reports it.
            _failure ??= e;
        }
    }

    private readonly record struct SealedBlob(
        BlobType Type, ObjectId Id, CompressionKind Compression, uint RawLength, byte[] Envelope, int Length);

    /// <summary>Encodes and stores a tree; returns its ID.</summary>
    public async ValueTask<ObjectId> SaveTreeAsync(Tree tree, CancellationToken cancellationToken = default)
    {
        var bytes = tree.Encode();
        var id = _repository.ComputeId(bytes);
        await SaveAsync(BlobType.Tree, id, bytes, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>Uploads the open pack and indexes every uploaded pack. Everything saved before is then durable.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        Task[] background;
        lock (_pendingLock)
        {
            background = [.. _background];
            _background.Clear();
        }

        await Task.WhenAll(background).WaitAsync(cancellationToken).ConfigureAwait(false);
        await _packLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfFailed();
            if (_pack.Count > 0)
            {
                await UploadCurrentPackAsync(cancellationToken).ConfigureAwait(false);
            }

            await WriteIndexAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _packLock.Release();
        }
    }

    /// <summary>A pack writer sized for a full pack, so its buffer never grows through smaller pooled sizes.</summary>
    private PackWriter NewPack() =>
        new(_repository.Codec, _repository.Config.PackSize + BlobCodec.MaxStoredLength(_repository.Config.Chunker.MaxSize) + (1 << 16));

    private async Task UploadCurrentPackAsync(CancellationToken cancellationToken)
    {
        using var finished = _pack.Finish();
        _pack.Dispose();
        _pack = NewPack();
        try
        {
            await _repository.Store.PutAsync(BlobName.For(BlobKind.Pack, finished.Id), finished.Content, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _failure = e;
            throw;
        }

        Interlocked.Increment(ref _packs);
        _repository.Index.AddPack(finished.Id, finished.Length, finished.Entries);
        _unindexed.Add(new IndexedPack(finished.Id, finished.Length, finished.Entries));
        if (_unindexed.Count >= PacksPerIndexFile)
        {
            await WriteIndexAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteIndexAsync(CancellationToken cancellationToken)
    {
        if (_unindexed.Count == 0)
        {
            return;
        }

        try
        {
            await _repository.WriteIndexAsync(_unindexed.ToArray(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _failure = e;
            throw;
        }

        _unindexed.Clear();
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new HortException("an earlier write to the repository failed; nothing more is written in this run", _failure);
        }
    }

    public void Dispose()
    {
        _pack.Dispose();
        _packLock.Dispose();
    }
}
