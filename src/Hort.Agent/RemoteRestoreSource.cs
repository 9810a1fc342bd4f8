using System.Buffers;
using System.Collections.Concurrent;
using Hort.Core;
using Hort.Engine.Restore;
using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Chunking;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;
using Hort.Repository.Trees;

namespace Hort.Agent;

/// <summary>
/// Reads a snapshot of this PC through the server's ownership-checked routes (protocol.md §8). Every tree and chunk is
/// checked against its ID with the dedup keys, so a wrong answer is reported as damage and never written. Files are
/// restored in planned batches: the chunks' lengths first, then many chunks per request (<see cref="IPlannedReads"/>).
/// The subtrees of every tree read are fetched together in one request and kept (up to <see cref="MaxKeptTreeBytes"/>),
/// so walking a snapshot, once to count and once to restore, costs about one request per folder that has subfolders.
/// </summary>
/// <remarks>A <see cref="RateLimit"/> paces the chunk downloads (<c>--limit-download</c>).</remarks>
public sealed class RemoteRestoreSource(ServerClient client, ChunkingKeys keys, RateLimit? downloadLimit = null) : IRestoreSource, IPlannedReads
{
    /// <summary>Plaintext asked for in one read request at most (a single larger chunk goes alone).</summary>
    public const int MaxBytesPerRead = 32 << 20;

    /// <summary>Read requests in flight at once: while one answer is checked and written, the next is on its way.</summary>
    private const int ReadsInFlight = 2;

    /// <summary>The longest message of an unreadable chunk's frame.</summary>
    private const int MaxMessageBytes = 64 << 10;

    /// <summary>Plaintext of prefetched trees kept at most; beyond it trees are fetched when they are needed.</summary>
    public const long MaxKeptTreeBytes = 64 << 20;

    private readonly ConcurrentDictionary<ObjectId, Tree> _trees = new();
    private long _keptTreeBytes;

    /// <summary>Makes what one frame holds of its blob; returns false for a blob that was not asked for (or came twice).</summary>
    private delegate bool FrameHandler(in BlobFrameHeader frame, ReadOnlySpan<byte> body);

    public IPlannedReads PlannedReads => this;

    public async Task<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken)
    {
        if (!_trees.TryGetValue(id, out var tree))
        {
            var bytes = await FetchAsync(() => client.TreeAsync(id.ToString(), cancellationToken), "tree " + id).ConfigureAwait(false);
            tree = Tree.Decode(Verified(bytes, id, "tree " + id), "tree " + id);
        }

        await PrefetchSubtreesAsync(tree, cancellationToken).ConfigureAwait(false);
        return tree;
    }

    /// <summary>
    /// Fetches the subtrees of <paramref name="tree"/> not kept yet in one batched read, each checked against its ID.
    /// A subtree the answer does not bring (refused, damaged) is left out: reading it alone reports why.
    /// </summary>
    private async Task PrefetchSubtreesAsync(Tree tree, CancellationToken ct)
    {
        var wanted = tree.Nodes.Where(n => n.Type == NodeType.Directory && !_trees.ContainsKey(n.Subtree)).Select(n => n.Subtree).Distinct().ToList();
        for (var start = 0; start < wanted.Count && Interlocked.Read(ref _keptTreeBytes) < MaxKeptTreeBytes; start += BlobBatchRequest.MaxIds)
        {
            var part = wanted.Skip(start).Take(BlobBatchRequest.MaxIds).ToHashSet();
            await ReadFramesAsync(SessionValues.Tree, part, SessionValues.MaxTreeBytes, Keep, ct).ConfigureAwait(false);

            bool Keep(in BlobFrameHeader frame, ReadOnlySpan<byte> body)
            {
                if (!part.Remove(frame.Id)) return false;
                if (frame.Form == BlobFrameForm.Unreadable) return true;
                var whole = TryPlaintext(frame, body, out var plain, out var rented);
                try
                {
                    if (whole && keys.ComputeId(plain) == frame.Id && _trees.TryAdd(frame.Id, Tree.Decode(plain, "tree " + frame.Id)))
                    {
                        Interlocked.Add(ref _keptTreeBytes, plain.Length);
                    }
                }
                catch (Exception e) when (e is RepositoryCorruptException or UnsupportedFormatException or ArgumentException)
                {
                    // Not a valid tree: left out, so reading it alone reports the damage.
                }
                finally
                {
                    if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
                }

                return true;
            }
        }
    }

    public async Task<byte[]> LoadBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken)
    {
        var bytes = await FetchAsync(() => client.BlobAsync(id.ToString(), keys.Parameters.MaxSize, cancellationToken), "blob " + id).ConfigureAwait(false);
        if (downloadLimit is not null) await downloadLimit.WaitAsync(bytes.Length, cancellationToken).ConfigureAwait(false);
        return Verified(bytes, id, "blob " + id);
    }

    public async Task<IReadOnlyList<LocatedBlob>> LocateAsync(IReadOnlyList<ObjectId> ids, CancellationToken cancellationToken)
    {
        var located = new List<LocatedBlob>(ids.Count);
        for (var start = 0; start < ids.Count; start += BlobBatchRequest.MaxIds)
        {
            var part = ids.Skip(start).Take(BlobBatchRequest.MaxIds).ToList();
            var sizes = await client.BlobSizesAsync([.. part.Select(id => id.ToString())], cancellationToken).ConfigureAwait(false);
            if (sizes.Count != part.Count)
            {
                throw new AgentException($"the server answered {sizes.Count} chunk sizes for {part.Count} chunks");
            }

            for (var i = 0; i < part.Count; i++)
            {
                located.Add(sizes[i] switch
                {
                    null => new LocatedBlob(default, new RepositoryCorruptException("blob " + part[i], "the server has no such chunk for this PC")),
                    < 0 or > int.MaxValue => new LocatedBlob(default, new RepositoryCorruptException("blob " + part[i], $"the server gave an impossible size ({sizes[i]})")),
                    var size when size > keys.Parameters.MaxSize => new LocatedBlob(default, new RepositoryCorruptException(
                        "blob " + part[i], $"the server gave a size ({size}) above the chunker's maximum ({keys.Parameters.MaxSize})")),
                    var size => new LocatedBlob(new BlobLocation(ObjectId.Empty, new PackEntry(BlobType.Data, CompressionKind.None, 0, 0, (uint)size, part[i])), null),
                });
            }
        }

        return located;
    }

    public async Task ReadAsync(IReadOnlyList<BlobLocation> blobs, IBlobSink sink, int parallelism, CancellationToken cancellationToken)
    {
        // Each distinct chunk once, in requests of at most MaxIds chunks and MaxBytesPerRead bytes.
        var requests = new List<Dictionary<ObjectId, BlobLocation>>();
        var seen = new HashSet<ObjectId>();
        Dictionary<ObjectId, BlobLocation>? current = null;
        long bytes = 0;
        foreach (var blob in blobs)
        {
            if (!seen.Add(blob.Entry.Id)) continue;
            if (current is null || current.Count == BlobBatchRequest.MaxIds || (bytes + blob.Entry.RawLength > MaxBytesPerRead && current.Count > 0))
            {
                current = [];
                requests.Add(current);
                bytes = 0;
            }

            current.Add(blob.Entry.Id, blob);
            bytes += blob.Entry.RawLength;
        }

        await Parallel.ForEachAsync(
            requests,
            new ParallelOptions { MaxDegreeOfParallelism = ReadsInFlight, CancellationToken = cancellationToken },
            (expected, ct) => new ValueTask(ReadOneAsync(expected, sink, ct))).ConfigureAwait(false);
    }

    /// <summary>One read request of chunks: every frame checked and handed to the sink as it arrives; a chunk the answer left out is reported as damage.</summary>
    private async Task ReadOneAsync(Dictionary<ObjectId, BlobLocation> expected, IBlobSink sink, CancellationToken ct)
    {
        await ReadFramesAsync(SessionValues.Data, expected.Keys, keys.Parameters.MaxSize, Deliver, ct).ConfigureAwait(false);
        foreach (var missing in expected.Values)
        {
            sink.Fail(missing, new RepositoryCorruptException("blob " + missing.Entry.Id, "the server's answer left this chunk out"));
        }

        bool Deliver(in BlobFrameHeader frame, ReadOnlySpan<byte> body)
        {
            if (!expected.Remove(frame.Id, out var location)) return false;
            var name = "blob " + frame.Id;
            if (frame.Form == BlobFrameForm.Unreadable)
            {
                sink.Fail(location, new RepositoryCorruptException(name, System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, MaxMessageBytes)])));
                return true;
            }

            if (frame.PlaintextLength != location.Entry.RawLength)
            {
                sink.Fail(location, new RepositoryCorruptException(name, $"the server sent {frame.PlaintextLength} bytes for a chunk of {location.Entry.RawLength}"));
                return true;
            }

            var whole = TryPlaintext(frame, body, out var plain, out var rented);
            try
            {
                if (!whole)
                {
                    sink.Fail(location, new RepositoryCorruptException(name, $"the server's frame does not hold the chunk's {location.Entry.RawLength} bytes"));
                }
                else if (keys.ComputeId(plain) != frame.Id)
                {
                    sink.Fail(location, new RepositoryCorruptException(name, "the server sent content that does not match its ID"));
                }
                else
                {
                    sink.Accept(location, plain);
                }
            }
            finally
            {
                if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
            }

            return true;
        }
    }

    /// <summary>
    /// Sends one batched read and hands every frame to <paramref name="handle"/> as it arrives. A malformed frame, a blob
    /// that was not asked for, or an answer that ends inside a frame is an <see cref="AgentException"/>.
    /// </summary>
    private async Task ReadFramesAsync(string blobType, IEnumerable<ObjectId> ids, int maxLength, FrameHandler handle, CancellationToken ct)
    {
        using var response = await client.ReadBlobsAsync(blobType, [.. ids.Select(id => id.ToString())], ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var header = new byte[BlobFrameHeader.Size];
            while (await ReadHeaderAsync(body, header, ct).ConfigureAwait(false))
            {
                if (!BlobFrameHeader.TryRead(header, maxLength, out var frame))
                {
                    throw new AgentException($"the server sent a malformed {blobType} frame");
                }

                var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(frame.Length, 1));
                try
                {
                    await body.ReadExactlyAsync(buffer.AsMemory(0, frame.Length), ct).ConfigureAwait(false);
                    if (downloadLimit is not null) await downloadLimit.WaitAsync(frame.Length, ct).ConfigureAwait(false);
                    if (!handle(frame, buffer.AsSpan(0, frame.Length)))
                    {
                        throw new AgentException($"the server sent {blobType} {frame.Id}, which was not asked for (or sent it twice)");
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
    }

    /// <summary>Reads a frame header; false at the end of the answer, which must fall between frames.</summary>
    private static async Task<bool> ReadHeaderAsync(Stream body, byte[] header, CancellationToken ct)
    {
        var read = await body.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        return read == header.Length
            ? true
            : read == 0 ? false : throw new AgentException("the server's answer ended inside a frame");
    }

    /// <summary>
    /// The plaintext a frame carries: its body, or its zstd body decompressed into a rented buffer (returned by the
    /// caller). False unless that is exactly the frame's plaintext length.
    /// </summary>
    private static bool TryPlaintext(in BlobFrameHeader frame, ReadOnlySpan<byte> body, out ReadOnlySpan<byte> plain, out byte[]? rented)
    {
        rented = null;
        if (frame.Form == BlobFrameForm.Plain)
        {
            plain = body;
            return body.Length == frame.PlaintextLength;
        }

        rented = ArrayPool<byte>.Shared.Rent(Math.Max(frame.PlaintextLength, 1));
        var destination = rented.AsSpan(0, frame.PlaintextLength);
        plain = destination;
        return Zstd.TryDecompress(body, destination, out _);
    }

    /// <summary>A refusal for one object (404: not stored, or not this PC's) is damage of that object; the restore goes on.</summary>
    private static async Task<byte[]> FetchAsync(Func<Task<byte[]>> fetch, string name)
    {
        try
        {
            return await fetch().ConfigureAwait(false);
        }
        catch (ServerRefusedException e) when (!e.IsTransient && e.Status != System.Net.HttpStatusCode.Unauthorized)
        {
            throw new RepositoryCorruptException(name, e.Message);
        }
    }

    private byte[] Verified(byte[] bytes, ObjectId id, string name) =>
        keys.ComputeId(bytes) == id ? bytes : throw new RepositoryCorruptException(name, "the server sent content that does not match its ID");
}
