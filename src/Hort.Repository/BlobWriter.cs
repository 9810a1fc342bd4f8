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
/// thread (so several callers compress and encrypt in parallel), appends them to the open pack, which streams straight
/// to a staged put of the store instead of filling a buffer, commits each full pack in the background (one at a time,
/// overlapping its fsync with the filling of the next pack), and writes index files for committed packs.
/// A blob becomes findable in the index only once its pack is durable; all are after <see cref="FlushAsync"/>.
/// After any storage failure the writer refuses further work, so a snapshot is never saved over lost blobs.
/// </summary>
public sealed class BlobWriter : IDisposable
{
    private const int PacksPerIndexFile = 8;
    private const int UploadsInFlight = 1;

    private readonly HortRepository _repository;
    private readonly BlobCodec _codec;
    private readonly Lock _pendingLock = new();
    private readonly HashSet<ObjectId> _pending = [];
    private readonly List<Task> _background = [];
    private readonly SemaphoreSlim _packLock = new(1, 1);
    private readonly Lock _indexLock = new();
    private readonly List<IndexedPack> _unindexed = [];
    private readonly List<Task> _uploads = [];
    private StreamingPackWriter? _pack;
    private volatile Exception? _failure;
    private long _blobs;
    private long _rawBytes;
    private long _storedBytes;
    private int _packs;

    /// <summary>A writer into <paramref name="repository"/> that compresses new blobs as <paramref name="compression"/> says.</summary>
    public BlobWriter(HortRepository repository, CompressionMode compression = CompressionMode.Auto)
    {
        _repository = repository;
        _codec = repository.Codec.WithCompression(compression);
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
    public ValueTask<bool> SaveAsync(BlobType type, ObjectId id, ReadOnlyMemory<byte> raw, CancellationToken cancellationToken = default) =>
        SaveAsync(type, id, raw, default, prepared: false, cancellationToken);

    /// <summary>
    /// As <see cref="SaveAsync(BlobType, ObjectId, ReadOnlyMemory{byte}, CancellationToken)"/> for a blob whose zstd form
    /// the caller already has and has checked to decompress to <paramref name="raw"/> (empty when there is none): no
    /// compression is done here (<see cref="BlobCodec.SealPrepared"/>).
    /// </summary>
    public ValueTask<bool> SavePreparedAsync(BlobType type, ObjectId id, ReadOnlyMemory<byte> raw, ReadOnlyMemory<byte> compressed, CancellationToken cancellationToken = default) =>
        SaveAsync(type, id, raw, compressed, prepared: true, cancellationToken);

    private async ValueTask<bool> SaveAsync(BlobType type, ObjectId id, ReadOnlyMemory<byte> raw, ReadOnlyMemory<byte> compressed, bool prepared, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFailed();
        if (_repository.Index.Contains(id))
        {
            return false;
        }

        lock (_pendingLock)
        {
            // The index is asked again under the lock: a blob leaves the pending set only after its pack is indexed.
            if (_repository.Index.Contains(id) || !_pending.Add(id))
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
            // Chunks above the minimum size get an envelope buffer for the largest chunk, so that all of them share
            // one pooled buffer size instead of spreading over every power of two up to it.
            var capacity = raw.Length < _repository.Config.Chunker.MinSize ? raw.Length : Math.Max(raw.Length, _repository.Config.Chunker.MaxSize);
            envelope = LargeBuffers.Rent(BlobCodec.MaxStoredLength(capacity));
            length = prepared
                ? _codec.SealPrepared(type, id, raw.Span, compressed.Span, envelope, out compression)
                : _codec.Seal(type, id, raw.Span, envelope, out compression);
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
        var packSize = _repository.Config.PackSize;
        try
        {
            ThrowIfFailed();
            // A blob that would take the pack past packSize starts the next one, so a pack holds at most packSize
            // bytes (unless a single blob is larger).
            if (_pack is { Count: > 0 } && _pack.FinishedLength + blob.Length + PackEntry.Size > packSize)
            {
                await UploadCurrentPackAsync(cancellationToken).ConfigureAwait(false);
            }

            // The pack's file is begun with its first blob, so a run that adds nothing leaves no file behind.
            _pack ??= new StreamingPackWriter(_codec, _repository.Store);
            _pack.AddSealed(blob.Type, blob.Id, blob.Compression, blob.RawLength, blob.Envelope.AsSpan(0, blob.Length));
            Interlocked.Increment(ref _blobs);
            Interlocked.Add(ref _rawBytes, blob.RawLength);
            Interlocked.Add(ref _storedBytes, blob.Length);
            if (_pack.FinishedLength >= packSize)
            {
                await UploadCurrentPackAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is HortException or OperationCanceledException)
        {
            _failure ??= e;
            throw;
        }
        catch (Exception e)
        {
            // Writing the pack failed. Said as a repository failure, so that no caller takes an I/O error for one of
            // its own (the archiver would report the file being read as unreadable and go on).
            _failure ??= e;
            throw new HortException("writing a pack to the repository failed; nothing more is written in this run", e);
        }
        finally
        {
            LargeBuffers.Return(blob.Envelope);
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
            if (_pack is { Count: > 0 })
            {
                await UploadCurrentPackAsync(cancellationToken).ConfigureAwait(false);
            }

            var uploadFailure = await WaitForUploadsAsync(0).ConfigureAwait(false);
            if (uploadFailure is not null)
            {
                // The failure of this flush's own uploads is reported as it is (e.g. a full disk).
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(uploadFailure);
            }

            ThrowIfFailed();
            List<IndexedPack> rest;
            lock (_indexLock)
            {
                rest = [.. _unindexed];
                _unindexed.Clear();
            }

            await WriteIndexAsync(rest, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _packLock.Release();
        }
    }

    /// <summary>
    /// Finishes the open pack (its header and trailer are the last bytes written) and starts its commit (fsync, rename,
    /// fsync of the folder) in the background, so that sealing the next blobs overlaps with the disk; at most
    /// <see cref="UploadsInFlight"/> commits run at a time. Called with the pack lock held.
    /// </summary>
    private async Task UploadCurrentPackAsync(CancellationToken cancellationToken)
    {
        await WaitForUploadsAsync(UploadsInFlight - 1).ConfigureAwait(false);

        // After a lost pack no other is committed: the run has failed, and its blobs would serve no snapshot.
        ThrowIfFailed();
        var pack = _pack!;
        _pack = null;
        StagedPack finished;
        using (pack)
        {
            finished = pack.Finish();
        }

        // A commit spends most of its time blocked in fsync, about as long as filling the next pack takes. On a
        // thread-pool thread it would take one of the pool's few threads (one per core) from sealing blobs until the
        // pool noticed and added one; its own thread keeps the pool for the work that needs a core.
        _uploads.Add(Task.Factory.StartNew(
            () => UploadAsync(finished, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap());

        // The garbage of a pack's worth of work (tree nodes, tasks, small buffers) is collected now: the runtime's
        // default young-generation budget is tens of MB on machines with a large cache, cannot be set from the
        // application's configuration, and would otherwise let it pile up in memory for the whole backup.
        // A young-generation collection costs well under a millisecond here, once per pack.
        GC.Collect(0, GCCollectionMode.Forced, blocking: true);
    }

    /// <summary>
    /// Waits until at most <paramref name="remaining"/> uploads are running; a failed upload fails the writer and is
    /// returned (the first one).
    /// </summary>
    private async Task<Exception?> WaitForUploadsAsync(int remaining)
    {
        Exception? first = null;
        _uploads.RemoveAll(static t => t.IsCompletedSuccessfully);
        while (_uploads.Count > remaining)
        {
            var oldest = _uploads[0];
            _uploads.RemoveAt(0);
            try
            {
                await oldest.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _failure ??= e;
                first ??= e;
            }
        }

        return first;
    }

    /// <summary>Commits one pack durably, then makes its blobs findable and indexes every few packs.</summary>
    private async Task UploadAsync(StagedPack finished, CancellationToken cancellationToken)
    {
        using (finished)
        {
            try
            {
                await finished.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _failure ??= e;
                throw;
            }

            Interlocked.Increment(ref _packs);
            _repository.Index.AddPack(finished.Id, finished.Length, finished.Entries);

            // The index finds these blobs now; kept here too, the pending set would grow with every blob of the run.
            lock (_pendingLock)
            {
                foreach (var entry in finished.Entries)
                {
                    _pending.Remove(entry.Id);
                }
            }

            List<IndexedPack>? full = null;
            lock (_indexLock)
            {
                _unindexed.Add(new IndexedPack(finished.Id, finished.Length, finished.Entries));
                if (_unindexed.Count >= PacksPerIndexFile)
                {
                    full = [.. _unindexed];
                    _unindexed.Clear();
                }
            }

            if (full is not null)
            {
                await WriteIndexAsync(full, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteIndexAsync(List<IndexedPack> packs, CancellationToken cancellationToken)
    {
        if (packs.Count == 0)
        {
            return;
        }

        try
        {
            await _repository.WriteIndexAsync(packs, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _failure ??= e;
            throw;
        }
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
        _pack?.Dispose();
        _packLock.Dispose();
    }
}
