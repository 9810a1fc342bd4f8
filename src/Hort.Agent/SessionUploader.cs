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
/// Collects the blobs of one backup run into batches and sends each batch in order: one known query for its IDs, then
/// the needed data blobs (several at a time), then its trees one by one. Order matters because the server accepts a
/// tree only when every blob it names is already in this PC's known set; the archiver saves a tree only after its
/// children, and batches are sent strictly in the order they were filled. A checkpoint every few hundred MB makes
/// the uploads durable, so an interrupted backup repeats little.
/// </summary>
internal sealed class SessionUploader(ServerClient client, string sessionId, ChunkingKeys keys, Func<ObjectId, bool> inParent, RateLimit limit) : IBackupWriter
{
    private const int BatchIds = 2000;
    private const long BatchBytes = 16L << 20;
    private const long CheckpointBytes = 256L << 20;
    private const int UploadsInFlight = 4;

    private readonly Lock _lock = new();
    private readonly HashSet<ObjectId> _seen = [];
    private List<PendingBlob> _batch = [];
    private long _batchBytes;
    private Task _tail = Task.CompletedTask;
    private volatile Exception? _failure;
    private long _blobsSent;
    private long _rawSent;
    private long _bytesSent;
    private long _sinceCheckpoint;

    private readonly record struct PendingBlob(BlobType Type, ObjectId Id, int RawLength, byte[] Body, bool Zstd);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public WriterStatistics Statistics => new(Interlocked.Read(ref _blobsSent), Interlocked.Read(ref _rawSent), Interlocked.Read(ref _bytesSent), 0);

    public bool Has(ObjectId id)
    {
        lock (_lock)
        {
            if (_seen.Contains(id)) return true;
        }

        return inParent(id);
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
        List<PendingBlob> full;
        Task previous;
        TaskCompletionSource mine;
        lock (_lock)
        {
            // Seen and queued together, so a tree naming this blob can never be queued before it.
            if (!_seen.Add(id)) return false;
            _batch.Add(blob);
            _batchBytes += blob.Body.Length;
            if (_batch.Count < BatchIds && _batchBytes < BatchBytes) return true;
            (full, previous, mine) = TakeBatch();
        }

        await SendInOrderAsync(full, previous, mine, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<ObjectId> SaveTreeAsync(Tree tree, CancellationToken cancellationToken)
    {
        var bytes = tree.Encode();
        var id = keys.ComputeId(bytes);
        await SaveAsync(BlobType.Tree, id, bytes, cancellationToken).ConfigureAwait(false);
        return id;
    }

    /// <summary>Sends what is still queued; the server's commit makes it durable.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        List<PendingBlob> rest;
        Task previous;
        TaskCompletionSource mine;
        lock (_lock)
        {
            (rest, previous, mine) = TakeBatch();
        }

        await SendInOrderAsync(rest, previous, mine, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
    }

    private (List<PendingBlob>, Task, TaskCompletionSource) TakeBatch()
    {
        var batch = _batch;
        _batch = [];
        _batchBytes = 0;
        var previous = _tail;
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _tail = mine.Task;
        return (batch, previous, mine);
    }

    private async Task SendInOrderAsync(List<PendingBlob> batch, Task previous, TaskCompletionSource mine, CancellationToken ct)
    {
        try
        {
            await previous.ConfigureAwait(false);
            ThrowIfFailed();
            await SendAsync(batch, ct).ConfigureAwait(false);
            mine.SetResult();
        }
        catch (Exception e)
        {
            _failure ??= e;
            mine.SetException(e);
            throw;
        }
    }

    private async Task SendAsync(List<PendingBlob> batch, CancellationToken ct)
    {
        if (batch.Count == 0) return;
        var needed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i += KnownRequest.MaxIds)
        {
            var ids = batch.Skip(i).Take(KnownRequest.MaxIds).Select(b => b.Id.ToString()).ToList();
            needed.UnionWith(await client.NeededAsync(sessionId, ids, ct).ConfigureAwait(false));
        }

        var data = batch.Where(b => b.Type == BlobType.Data && needed.Contains(b.Id.ToString())).ToList();
        await Parallel.ForEachAsync(data, new ParallelOptions { MaxDegreeOfParallelism = UploadsInFlight, CancellationToken = ct },
            async (blob, token) => await UploadAsync(blob, token).ConfigureAwait(false)).ConfigureAwait(false);
        foreach (var tree in batch.Where(b => b.Type == BlobType.Tree && needed.Contains(b.Id.ToString())))
        {
            await UploadAsync(tree, ct).ConfigureAwait(false);
        }

        if (Interlocked.Read(ref _sinceCheckpoint) >= CheckpointBytes)
        {
            await client.CheckpointAsync(sessionId, ct).ConfigureAwait(false);
            Interlocked.Exchange(ref _sinceCheckpoint, 0);
        }
    }

    private async Task UploadAsync(PendingBlob blob, CancellationToken ct)
    {
        var type = blob.Type == BlobType.Tree ? SessionValues.Tree : SessionValues.Data;
        await limit.WaitAsync(blob.Body.Length, ct).ConfigureAwait(false);
        await client.UploadAsync(sessionId, type, blob.Id.ToString(), blob.Body, blob.Zstd, ct).ConfigureAwait(false);
        Interlocked.Increment(ref _blobsSent);
        Interlocked.Add(ref _rawSent, blob.RawLength);
        Interlocked.Add(ref _bytesSent, blob.Body.Length);
        Interlocked.Add(ref _sinceCheckpoint, blob.Body.Length);
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
