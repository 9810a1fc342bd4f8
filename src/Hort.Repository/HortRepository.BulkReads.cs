using System.Buffers;
using System.Threading.Channels;
using Hort.Core;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;
using Hort.Storage;

namespace Hort.Repository;

/// <summary>
/// Receives the blobs of <see cref="HortRepository.ReadBlobsAsync"/>. Called from several threads at once, each blob
/// exactly once: either <see cref="Accept"/> with its verified content or <see cref="Fail"/> with why it could not be read.
/// </summary>
public interface IBlobSink
{
    /// <summary>A blob that passed authentication and its ID check; <paramref name="content"/> is valid only during the call.</summary>
    void Accept(in BlobLocation blob, ReadOnlySpan<byte> content);

    /// <summary>
    /// A blob that could not be read: a <see cref="RepositoryCorruptException"/> naming the blob and its pack (missing,
    /// truncated or damaged pack, failed authentication or ID check), exactly as <see cref="HortRepository.LoadBlobAsync(BlobType, ObjectId, CancellationToken)"/>
    /// would raise it, or an <see cref="IOException"/> / <see cref="UnauthorizedAccessException"/> from the store.
    /// </summary>
    void Fail(in BlobLocation blob, Exception error);
}

public sealed partial class HortRepository
{
    /// <summary>Largest pack range read at once; a single blob larger than this is read alone.</summary>
    public const int MaxBulkReadRange = 4 * 1024 * 1024;

    /// <summary>Unneeded bytes between two needed blobs of a pack that are read rather than skipped with a second read.</summary>
    public const int MaxBulkReadGap = 256 * 1024;

    /// <summary>Where the index has the blob; a blob it lacks raises the same error a load of it would.</summary>
    public BlobLocation LocateBlob(BlobType type, ObjectId id) => Locate(type, id);

    /// <summary>
    /// Reads many blobs pack by pack: the blobs of each pack in offset order, neighbours (at most
    /// <see cref="MaxBulkReadGap"/> apart) in one read of up to <see cref="MaxBulkReadRange"/> bytes, each pack read
    /// once, packs in the order their first blob appears in <paramref name="blobs"/>. One reader reads ahead while
    /// <paramref name="parallelism"/> workers decrypt, decompress and check every blob against its ID before
    /// <paramref name="sink"/> sees it; memory stays bounded (a few ranges in flight). A range that cannot be read is
    /// retried blob by blob, so each failure names its own blob and pack, as a single load would. Each distinct blob
    /// reaches the sink once.
    /// </summary>
    public async Task ReadBlobsAsync(IReadOnlyList<BlobLocation> blobs, IBlobSink sink, int parallelism, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        var ranges = PlanRanges(blobs);
        if (ranges.Count == 0)
        {
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Channel.CreateBounded<BlobGroup>(new BoundedChannelOptions(parallelism) { SingleWriter = true });
        var workers = new Task[parallelism];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = Task.Run(() => OpenGroupsAsync(work.Reader, sink, stop), CancellationToken.None);
        }

        try
        {
            foreach (var range in ranges)
            {
                await ReadRangeAsync(range, work.Writer, sink, stop.Token).ConfigureAwait(false);
            }

            work.Writer.Complete();
        }
        catch (Exception e)
        {
            work.Writer.TryComplete(e);
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            // Workers stop on their own once the channel is drained or the reader failed.
            await Task.WhenAll(workers).ConfigureAwait(false);
        }
    }

    /// <summary>Blobs of one range that one worker opens; the range's buffer is returned when its last group is done.</summary>
    private sealed record BlobGroup(SharedBuffer Buffer, long BufferOffset, BlobLocation[] Blobs, int Start, int Count);

    /// <summary>A pooled buffer shared by the groups of one range.</summary>
    private sealed class SharedBuffer(byte[] array, int references)
    {
        private int _references = references;

        public byte[] Array => array;

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                ArrayPool<byte>.Shared.Return(array);
            }
        }
    }

    /// <summary>Stored bytes one worker opens at a time from a range of small blobs, so both cores share even a single range.</summary>
    private const int GroupBytes = 256 * 1024;

    /// <summary>One read: consecutive blobs (by offset) of one pack.</summary>
    private sealed record PackRange(ObjectId PackId, long Offset, int Length, BlobLocation[] Blobs);

    private static List<PackRange> PlanRanges(IReadOnlyList<BlobLocation> blobs)
    {
        // Group by pack, packs in order of first appearance.
        var byPack = new Dictionary<ObjectId, List<BlobLocation>>();
        var packOrder = new List<List<BlobLocation>>();
        foreach (var blob in blobs)
        {
            if (!byPack.TryGetValue(blob.PackId, out var list))
            {
                list = [];
                byPack.Add(blob.PackId, list);
                packOrder.Add(list);
            }

            list.Add(blob);
        }

        var ranges = new List<PackRange>();
        var current = new List<BlobLocation>();
        foreach (var list in packOrder)
        {
            list.Sort(static (a, b) => a.Entry.Offset.CompareTo(b.Entry.Offset));
            long start = 0, end = 0;
            foreach (var blob in list)
            {
                long offset = blob.Entry.Offset, stop = offset + blob.Entry.StoredLength;
                if (current.Count > 0 && current[^1].Entry.Id == blob.Entry.Id && current[^1].Entry.Offset == blob.Entry.Offset)
                {
                    continue; // the same blob asked for twice
                }

                if (current.Count > 0 && (offset - end > MaxBulkReadGap || stop - start > MaxBulkReadRange))
                {
                    ranges.Add(new PackRange(list[0].PackId, start, (int)(end - start), [.. current]));
                    current.Clear();
                }

                if (current.Count == 0)
                {
                    start = offset;
                }

                current.Add(blob);
                end = Math.Max(end, stop);
            }

            if (current.Count > 0)
            {
                ranges.Add(new PackRange(list[0].PackId, start, (int)(end - start), [.. current]));
                current.Clear();
            }
        }

        return ranges;
    }

    private async Task ReadRangeAsync(PackRange range, ChannelWriter<BlobGroup> work, IBlobSink sink, CancellationToken cancellationToken)
    {
        var envelopes = ArrayPool<byte>.Shared.Rent(Math.Max(range.Length, 1));
        try
        {
            await PackReader.ReadExactlyAsync(Store, BlobName.For(BlobKind.Pack, range.PackId), range.Offset, envelopes.AsMemory(0, range.Length), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is BlobNotFoundException or RepositoryCorruptException or IOException or UnauthorizedAccessException)
        {
            ArrayPool<byte>.Shared.Return(envelopes);
            await ReadOneByOneAsync(range, sink, cancellationToken).ConfigureAwait(false);
            return;
        }

        var groups = new List<(int Start, int Count)>();
        for (int start = 0, i = 0; i < range.Blobs.Length; i++)
        {
            var groupEnd = range.Blobs[i].Entry.Offset + (long)range.Blobs[i].Entry.StoredLength;
            if (i == range.Blobs.Length - 1 || groupEnd - range.Blobs[start].Entry.Offset >= GroupBytes)
            {
                groups.Add((start, i + 1 - start));
                start = i + 1;
            }
        }

        var shared = new SharedBuffer(envelopes, groups.Count);
        foreach (var (start, count) in groups)
        {
            await work.WriteAsync(new BlobGroup(shared, range.Offset, range.Blobs, start, count), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task OpenGroupsAsync(ChannelReader<BlobGroup> work, IBlobSink sink, CancellationTokenSource stop)
    {
        try
        {
            await foreach (var group in work.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                try
                {
                    OpenGroup(group, sink);
                }
                finally
                {
                    group.Buffer.Release();
                }
            }
        }
        catch (ChannelClosedException)
        {
            // The reader failed; it reports why.
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped with the reader.
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void OpenGroup(BlobGroup group, IBlobSink sink)
    {
        for (var i = group.Start; i < group.Start + group.Count; i++)
        {
            var blob = group.Blobs[i];
            var envelope = group.Buffer.Array.AsSpan((int)(blob.Entry.Offset - group.BufferOffset), (int)blob.Entry.StoredLength);
            byte[] raw;
            int length;
            try
            {
                (raw, length) = OpenRented(envelope, blob);
            }
            catch (RepositoryCorruptException e)
            {
                sink.Fail(blob, e);
                continue;
            }

            AcceptRented(sink, blob, raw, length);
        }
    }

    /// <summary>Hands an opened blob to the sink and returns its rented buffer.</summary>
    private static void AcceptRented(IBlobSink sink, in BlobLocation blob, byte[] raw, int length)
    {
        try
        {
            sink.Accept(blob, raw.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    /// <summary>After a range could not be read: each blob on its own, so each error is the one a single load gives.</summary>
    private async Task ReadOneByOneAsync(PackRange range, IBlobSink sink, CancellationToken cancellationToken)
    {
        foreach (var blob in range.Blobs)
        {
            byte[] raw;
            int length;
            try
            {
                (raw, length) = await RentBlobAsync(blob, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RepositoryCorruptException or IOException or UnauthorizedAccessException)
            {
                sink.Fail(blob, e);
                continue;
            }

            AcceptRented(sink, blob, raw, length);
        }
    }
}
