using System.Buffers;
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

    public IPlannedReads PlannedReads => this;

    public async Task<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken)
    {
        var bytes = await FetchAsync(() => client.TreeAsync(id.ToString(), cancellationToken), "tree " + id).ConfigureAwait(false);
        return Tree.Decode(Verified(bytes, id, "tree " + id), "tree " + id);
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

    /// <summary>One read request: every frame checked and handed to the sink as it arrives; a chunk the answer left out is reported as damage.</summary>
    private async Task ReadOneAsync(Dictionary<ObjectId, BlobLocation> expected, IBlobSink sink, CancellationToken ct)
    {
        using var response = await client.ReadBlobsAsync([.. expected.Keys.Select(id => id.ToString())], ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            var header = new byte[BlobFrameHeader.Size];
            while (await ReadHeaderAsync(body, header, ct).ConfigureAwait(false))
            {
                if (!BlobFrameHeader.TryRead(header, keys.Parameters.MaxSize, out var frame))
                {
                    throw new AgentException("the server sent a malformed chunk frame");
                }

                if (!expected.Remove(frame.Id, out var location))
                {
                    throw new AgentException($"the server sent chunk {frame.Id}, which was not asked for (or sent it twice)");
                }

                var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(frame.Length, 1));
                try
                {
                    await body.ReadExactlyAsync(buffer.AsMemory(0, frame.Length), ct).ConfigureAwait(false);
                    if (downloadLimit is not null) await downloadLimit.WaitAsync(frame.Length, ct).ConfigureAwait(false);
                    Deliver(location, frame, buffer.AsSpan(0, frame.Length), sink);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }

        foreach (var missing in expected.Values)
        {
            sink.Fail(missing, new RepositoryCorruptException("blob " + missing.Entry.Id, "the server's answer left this chunk out"));
        }
    }

    /// <summary>Reads a frame header; false at the end of the answer, which must fall between frames.</summary>
    private static async Task<bool> ReadHeaderAsync(Stream body, byte[] header, CancellationToken ct)
    {
        var read = await body.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        return read == header.Length
            ? true
            : read == 0 ? false : throw new AgentException("the server's answer ended inside a chunk frame");
    }

    /// <summary>Checks one frame's chunk against its ID and length and hands it to the sink, or reports it as damage.</summary>
    private void Deliver(in BlobLocation location, in BlobFrameHeader frame, ReadOnlySpan<byte> body, IBlobSink sink)
    {
        var name = "blob " + frame.Id;
        var length = (int)location.Entry.RawLength;
        switch (frame.Form)
        {
            case BlobFrameForm.Unreadable:
                sink.Fail(location, new RepositoryCorruptException(name, System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, MaxMessageBytes)])));
                return;
            case BlobFrameForm.Plain:
                Check(location, body, name, sink);
                return;
            default:
                var plain = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
                try
                {
                    if (Zstd.TryDecompress(body, plain.AsSpan(0, length), out _))
                    {
                        Check(location, plain.AsSpan(0, length), name, sink);
                    }
                    else
                    {
                        sink.Fail(location, new RepositoryCorruptException(name, $"the server sent zstd data that does not decompress to its {length} bytes"));
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(plain);
                }

                return;
        }
    }

    private void Check(in BlobLocation location, ReadOnlySpan<byte> plaintext, string name, IBlobSink sink)
    {
        if (plaintext.Length == location.Entry.RawLength && keys.ComputeId(plaintext) == location.Entry.Id)
        {
            sink.Accept(location, plaintext);
        }
        else
        {
            sink.Fail(location, new RepositoryCorruptException(name, "the server sent content that does not match its ID"));
        }
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
