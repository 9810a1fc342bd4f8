using System.Threading.Channels;
using Hort.Core;
using Hort.Engine.Backup;
using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Chunking;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Trees;

namespace Hort.Agent;

/// <summary>
/// Collects the blobs of one backup run into batches and hands each full batch to one background sender through a
/// bounded queue, so reading and chunking go on while earlier batches upload. The sender sends batches strictly in the
/// order they were filled: one known query for a batch's IDs, then its needed data blobs in a few batched uploads at
/// once, then its trees in batched uploads one after the other, in the order they were saved. Order matters because
/// the server accepts a tree only when every blob it names is already in this PC's known set (or earlier in the same
/// upload); the archiver saves a tree only after its children. Memory stays bounded: at most
/// <see cref="QueuedBatches"/> full batches wait, one is being sent (and copied once into its request bodies) and one
/// filled (each ≤ 16 MB sealed). A failed upload ends the sender; the next save or the flush throws it to the job. A
/// checkpoint every few hundred MB makes the uploads durable, so an interrupted backup repeats little.
/// </summary>
internal sealed class SessionUploader : IBackupWriter
{
    private const int BatchIds = 2000;
    private const long BatchBytes = 16L << 20;
    private const long CheckpointBytes = 256L << 20;
    private const int UploadsInFlight = 4;

    /// <summary>Bodies per batched upload: a batch's data is split into about <see cref="UploadsInFlight"/> uploads of this size range.</summary>
    private const int MinUploadBytes = 256 << 10;
    private const int MaxUploadBytes = 8 << 20;

    /// <summary>Full batches that may wait for the sender before savers wait too.</summary>
    internal const int QueuedBatches = 2;

    private readonly ServerClient _client;
    private readonly string _sessionId;
    private readonly ChunkingKeys _keys;
    private readonly Func<ObjectId, bool> _inParent;
    private readonly RateLimit _limit;
    private readonly Lock _lock = new();
    private readonly HashSet<ObjectId> _seen = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<object> _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(QueuedBatches) { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private List<PendingBlob> _batch = [];
    private long _batchBytes;
    private volatile Exception? _failure;
    private CancellationTokenRegistration _linked;
    private long _blobsSent;
    private long _rawSent;
    private long _bytesSent;
    private long _sinceCheckpoint;

    public SessionUploader(ServerClient client, string sessionId, ChunkingKeys keys, Func<ObjectId, bool> inParent, RateLimit limit)
    {
        (_client, _sessionId, _keys, _inParent, _limit) = (client, sessionId, keys, inParent, limit);
        _sender = Task.Run(SendLoopAsync);
    }

    private readonly record struct PendingBlob(BlobType Type, ObjectId Id, int RawLength, byte[] Body, bool Zstd);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public WriterStatistics Statistics => new(Interlocked.Read(ref _blobsSent), Interlocked.Read(ref _rawSent), Interlocked.Read(ref _bytesSent), 0);

    public bool Has(ObjectId id)
    {
        lock (_lock)
        {
            if (_seen.Contains(id)) return true;
        }

        return _inParent(id);
    }

    public async ValueTask<bool> SaveAsync(BlobType type, ObjectId id, ReadOnlyMemory<byte> raw, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfFailed();
        lock (_lock)
        {
            if (_seen.Contains(id)) return false;
        }

        var blob = Seal(type, id, raw.Span);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Link(cancellationToken);
            lock (_lock)
            {
                // Seen and queued together, so a tree naming this blob can never be queued before it.
                if (!_seen.Add(id)) return false;
            }

            _batch.Add(blob);
            _batchBytes += blob.Body.Length;
            if (_batch.Count >= BatchIds || _batchBytes >= BatchBytes) await EnqueueAsync(TakeBatch(), cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<ObjectId> SaveTreeAsync(Tree tree, CancellationToken cancellationToken)
    {
        var bytes = tree.Encode();
        var id = _keys.ComputeId(bytes);
        await SaveAsync(BlobType.Tree, id, bytes, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>Sends what is still queued and waits until it is sent; the server's commit makes it durable.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Link(cancellationToken);
            if (_batch.Count > 0) await EnqueueAsync(TakeBatch(), cancellationToken).ConfigureAwait(false);
            await EnqueueAsync(sent, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }

        await sent.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the sender; batches not yet sent are dropped (the next run's known query asks for them again).</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _stop.Cancel();
        _linked.Dispose();
        _sender.Wait(TimeSpan.FromSeconds(30));
        _stop.Dispose();
        _gate.Dispose();
    }

    /// <summary>The job's token also stops the sender, so a cancelled backup stops uploading at once.</summary>
    private void Link(CancellationToken cancellationToken)
    {
        if (_linked == default && cancellationToken.CanBeCanceled) _linked = cancellationToken.Register(() => _stop.Cancel());
    }

    private List<PendingBlob> TakeBatch()
    {
        var batch = _batch;
        _batch = [];
        _batchBytes = 0;
        return batch;
    }

    private async Task EnqueueAsync(object item, CancellationToken ct)
    {
        try
        {
            await _queue.Writer.WriteAsync(item, ct).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ThrowIfFailed();
            throw new OperationCanceledException("the upload of this backup was stopped");
        }
    }

    /// <summary>The one sender: batches in order; a flush marker is completed once everything before it is sent.</summary>
    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                if (item is List<PendingBlob> batch) await SendAsync(batch, _stop.Token).ConfigureAwait(false);
                else ((TaskCompletionSource)item).TrySetResult();
            }
        }
        catch (Exception e)
        {
            _failure ??= e;
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left))
            {
                (left as TaskCompletionSource)?.TrySetException(e);
            }
        }
    }

    private async Task SendAsync(List<PendingBlob> batch, CancellationToken ct)
    {
        if (batch.Count == 0) return;
        var needed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i += KnownRequest.MaxIds)
        {
            var ids = batch.Skip(i).Take(KnownRequest.MaxIds).Select(b => b.Id.ToString()).ToList();
            needed.UnionWith(await _client.NeededAsync(_sessionId, ids, ct).ConfigureAwait(false));
        }

        var data = batch.Where(b => b.Type == BlobType.Data && needed.Contains(b.Id.ToString())).ToList();
        await Parallel.ForEachAsync(Split(data), new ParallelOptions { MaxDegreeOfParallelism = UploadsInFlight, CancellationToken = ct },
            async (part, token) => await UploadAsync(SessionValues.Data, part, token).ConfigureAwait(false)).ConfigureAwait(false);
        foreach (var part in Split([.. batch.Where(b => b.Type == BlobType.Tree && needed.Contains(b.Id.ToString()))]))
        {
            await UploadAsync(SessionValues.Tree, part, ct).ConfigureAwait(false);
        }

        if (Interlocked.Read(ref _sinceCheckpoint) >= CheckpointBytes)
        {
            await _client.CheckpointAsync(_sessionId, ct).ConfigureAwait(false);
            Interlocked.Exchange(ref _sinceCheckpoint, 0);
        }
    }

    /// <summary>
    /// Blobs in order, cut into uploads of about a quarter of their bytes each (within <see cref="MinUploadBytes"/> and
    /// <see cref="MaxUploadBytes"/>, at most <see cref="SessionValues.MaxBatchBlobs"/> blobs); a larger blob goes alone.
    /// </summary>
    private static List<List<PendingBlob>> Split(List<PendingBlob> blobs)
    {
        var total = blobs.Sum(b => (long)b.Body.Length + BlobFrameHeader.Size);
        var target = Math.Clamp(total / UploadsInFlight, MinUploadBytes, MaxUploadBytes);
        var parts = new List<List<PendingBlob>>();
        List<PendingBlob>? part = null;
        long bytes = 0;
        foreach (var blob in blobs)
        {
            var size = (long)blob.Body.Length + BlobFrameHeader.Size;
            if (part is null || part.Count == SessionValues.MaxBatchBlobs || (bytes + size > target && part.Count > 0))
            {
                part = [];
                parts.Add(part);
                bytes = 0;
            }

            part.Add(blob);
            bytes += size;
        }

        return parts;
    }

    /// <summary>One batched upload: the blobs as frames, all of one type.</summary>
    private async Task UploadAsync(string type, List<PendingBlob> blobs, CancellationToken ct)
    {
        var frames = new byte[blobs.Sum(b => b.Body.Length + BlobFrameHeader.Size)];
        var at = 0;
        foreach (var blob in blobs)
        {
            new BlobFrameHeader(blob.Id, blob.Zstd ? BlobFrameForm.Zstd : BlobFrameForm.Plain, blob.RawLength, blob.Body.Length).Write(frames.AsSpan(at));
            at += BlobFrameHeader.Size;
            blob.Body.CopyTo(frames.AsSpan(at));
            at += blob.Body.Length;
        }

        await _limit.WaitAsync(frames.Length, ct).ConfigureAwait(false);
        await _client.UploadBatchAsync(_sessionId, type, frames, ct).ConfigureAwait(false);
        Interlocked.Add(ref _blobsSent, blobs.Count);
        Interlocked.Add(ref _rawSent, blobs.Sum(b => (long)b.RawLength));
        var sent = blobs.Sum(b => (long)b.Body.Length);
        Interlocked.Add(ref _bytesSent, sent);
        Interlocked.Add(ref _sinceCheckpoint, sent);
    }

    /// <summary>
    /// The body to send: zstd when that saves enough to be worth it (the repository's own rule), else the plaintext,
    /// so incompressible chunks cost neither a full compression pass nor a decompression on the server.
    /// </summary>
    private static PendingBlob Seal(BlobType type, ObjectId id, ReadOnlySpan<byte> raw)
    {
        var body = new byte[raw.Length];
        var zstd = Compressor.CompressOrStore(raw, body, Compressor.DefaultLevel, out var written) == CompressionKind.Zstd;
        return new PendingBlob(type, id, raw.Length, zstd ? body.AsSpan(0, written).ToArray() : body, zstd);
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure) throw new AgentException("an earlier upload of this backup failed: " + failure.Message, failure);
    }
}
