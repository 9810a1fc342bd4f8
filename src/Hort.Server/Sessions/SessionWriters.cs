using System.Collections.Concurrent;
using Hort.Core;
using Hort.Repository;

namespace Hort.Server.Sessions;

/// <summary>
/// One <see cref="BlobWriter"/> per open backup session, so each session's blobs become durable at its own
/// checkpoints and commit. A writer that failed (e.g. the disk was full) is dropped; the next upload gets a new one,
/// and blobs that were only queued in the failed writer are reported as needed again.
/// </summary>
public sealed class SessionWriters(HortRepository repository, TimeProvider time) : IAsyncDisposable
{
    /// <summary>A writer unused this long is flushed and released, so an agent that went away holds no memory.</summary>
    public static readonly TimeSpan IdleAfter = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, BlobWriter> _writers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUse = new(StringComparer.Ordinal);

    public BlobWriter For(string sessionId)
    {
        _lastUse[sessionId] = time.GetUtcNow();
        return _writers.GetOrAdd(sessionId, _ => new BlobWriter(repository));
    }

    /// <summary>Flushes and releases the writers of sessions idle longer than <see cref="IdleAfter"/>; returns how many.</summary>
    public async Task<int> ReleaseIdleAsync(CancellationToken cancellationToken)
    {
        var released = 0;
        var cutoff = time.GetUtcNow() - IdleAfter;
        foreach (var (sessionId, lastUse) in _lastUse)
        {
            if (lastUse > cutoff || !_writers.ContainsKey(sessionId)) continue;
            try
            {
                await CloseAsync(sessionId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HortException or IOException)
            {
                // The writer was dropped; its blobs will be reported as needed again.
            }

            _lastUse.TryRemove(sessionId, out _);
            released++;
        }

        return released;
    }

    /// <summary>True when the blob is durable in the repository or queued in this session's writer.</summary>
    public bool IsStoredOrQueued(string sessionId, ObjectId id) =>
        repository.Index.Contains(id) || (_writers.TryGetValue(sessionId, out var writer) && writer.Has(id));

    /// <summary>Makes everything the session queued durable.</summary>
    public async Task FlushAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!_writers.TryGetValue(sessionId, out var writer)) return;
        try
        {
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Drop(sessionId, writer);
            throw;
        }
    }

    /// <summary>Flushes and forgets the session's writer.</summary>
    public async Task CloseAsync(string sessionId, CancellationToken cancellationToken)
    {
        await FlushAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (_writers.TryRemove(sessionId, out var writer)) writer.Dispose();
        _lastUse.TryRemove(sessionId, out _);
    }

    /// <summary>Forgets a writer after a failure, so the session can go on with a fresh one.</summary>
    public void Drop(string sessionId, BlobWriter writer)
    {
        if (_writers.TryRemove(new KeyValuePair<string, BlobWriter>(sessionId, writer))) writer.Dispose();
    }

    /// <summary>At shutdown everything queued is made durable, so resumed sessions need not upload it again.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (id, writer) in _writers)
        {
            try
            {
                await writer.FlushAsync().ConfigureAwait(false);
            }
            catch (HortException)
            {
                // Already failed; its blobs will be needed again.
            }
            catch (IOException)
            {
                // As above.
            }

            writer.Dispose();
            _writers.TryRemove(id, out _);
        }
    }
}
