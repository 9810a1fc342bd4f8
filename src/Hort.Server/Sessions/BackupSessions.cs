using System.Buffers;
using System.Text.Json;
using Hort.Core;
using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Maintenance;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;
using Hort.Server.Catalog;
using Hort.Server.Jobs;
using Hort.Server.Hosting;

namespace Hort.Server.Sessions;

/// <summary>
/// The server side of backup sessions (protocol.md §7): known-blob queries answered from the PC's own known set,
/// verified uploads, and commits that check every reference before the snapshot is written with the server's time.
/// </summary>
/// <remarks>Every request that works on a session holds one of the server's <see cref="BackupSlots"/>.</remarks>
public sealed class BackupSessions(HortRepository repository, RepositoryLease lease, ServerCatalog catalog, SessionWriters writers, BackupSlots slots, CommitGate gate, TimeProvider time)
{
    public const string PcTagPrefix = "hort-pc=";
    private const int MaxPaths = 1000;

    /// <summary>Returns the PC's open session, or opens a new one.</summary>
    public async Task<(SessionRecord Session, bool Resumed)> OpenAsync(string pcId, SessionCreateRequest request, CancellationToken ct)
    {
        CheckPaths(request.Paths);
        if (request.JobId is not null)
        {
            var job = await catalog.GetJobAsync(request.JobId, ct).ConfigureAwait(false);
            if (job is null || job.PcId != pcId) throw new NotFoundException($"there is no job {request.JobId}");
            if (job.Finished is not null || job.State == JobValues.Cancelling) throw new UploadRejectedException($"job {job.Id} was {(job.Finished is null ? "cancelled" : job.State)}; it takes no backup session");
        }

        if (!slots.TryHold(pcId))
        {
            if (request.JobId is not null) await catalog.UpdateJobAsync(request.JobId, JobValues.Waiting, time.GetUtcNow(), null, "waiting for a free backup slot on the server", ct).ConfigureAwait(false);
            slots.Hold(pcId);
        }

        if (await catalog.OpenSessionOfAsync(pcId, ct).ConfigureAwait(false) is { } open)
        {
            return (open, true);
        }

        var session = new SessionRecord(Guid.NewGuid().ToString("N"), pcId, SessionValues.Open, time.GetUtcNow(), request.JobId, null);
        await catalog.AddSessionAsync(session, JsonSerializer.Serialize(request.Paths, ProtocolJson.Default.IReadOnlyListString), ct).ConfigureAwait(false);
        return (session, false);
    }

    /// <summary>The session if it is this PC's; another PC's session does not exist for the caller.</summary>
    public async Task<SessionRecord> FindAsync(string pcId, string sessionId, bool mustBeOpen, CancellationToken ct)
    {
        var session = await catalog.GetSessionAsync(sessionId, ct).ConfigureAwait(false);
        if (session is null || session.PcId != pcId) throw new NotFoundException($"there is no session {sessionId}");
        if (mustBeOpen && session.State != SessionValues.Open) throw new UploadRejectedException($"session {sessionId} is {session.State}; open a new one");
        return session;
    }

    /// <summary>The IDs the PC must upload: all but those in its own known set that are durable or queued.</summary>
    public async Task<IReadOnlyList<string>> NeededAsync(string pcId, SessionRecord session, IReadOnlyList<string> ids, CancellationToken ct)
    {
        slots.Hold(pcId);
        var parsed = new List<(string Hex, ObjectId Id)>(ids.Count);
        foreach (var hex in ids)
        {
            parsed.Add((hex, ParseId(hex)));
        }

        var known = await catalog.KnownBlobsAsync(pcId, ids, ct).ConfigureAwait(false);
        return [.. parsed.Where(p => !(known.Contains(p.Hex) && writers.IsStoredOrQueued(session.Id, p.Id))).Select(p => p.Hex)];
    }

    /// <summary>
    /// Verifies one uploaded blob (decompress within bounds, recompute its ID, decode and check a tree's references)
    /// and queues it for storage. The same outcome whether or not another PC stored it before.
    /// </summary>
    public async Task UploadAsync(string pcId, SessionRecord session, string blobType, string blobHex, ReadOnlyMemory<byte> body, bool zstd, CancellationToken ct)
    {
        var type = ParseType(blobType);
        var id = ParseId(blobHex);
        slots.Hold(pcId);
        await StoreAsync(pcId, session, type, id, body, zstd, null, null, ct).ConfigureAwait(false);
        await catalog.AddKnownBlobsAsync(pcId, [blobHex], ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Verifies and queues every blob of a batched upload (protocol.md §7): frames read from <paramref name="body"/> one
    /// at a time, each checked as <see cref="UploadAsync"/> checks one upload. A tree may name blobs stored earlier in
    /// the same batch. Every blob stored joins the PC's known set in one write, also when a later one is refused (an
    /// <see cref="UploadRejectedException"/> naming it: nothing after it is read). Returns the number of blobs stored.
    /// </summary>
    public async Task<int> UploadBatchAsync(string pcId, SessionRecord session, string blobType, Stream body, CancellationToken ct)
    {
        var type = ParseType(blobType);
        slots.Hold(pcId);
        var stored = new HashSet<ObjectId>();
        var header = new byte[BlobFrameHeader.Size];
        var max = MaxRawLength(type);
        try
        {
            while (await ReadFrameHeaderAsync(body, header, ct).ConfigureAwait(false))
            {
                if (!BlobFrameHeader.TryRead(header, max, out var frame) || frame.Form == BlobFrameForm.Unreadable)
                {
                    throw new UploadRejectedException($"frame {stored.Count + 1} of the batch is malformed (form or length; a blob is at most {max} bytes)");
                }

                if (stored.Count == SessionValues.MaxBatchBlobs)
                {
                    throw new UploadRejectedException($"a batch holds at most {SessionValues.MaxBatchBlobs} blobs");
                }

                var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(frame.Length, 1));
                try
                {
                    await body.ReadExactlyAsync(buffer.AsMemory(0, frame.Length), ct).ConfigureAwait(false);
                    await StoreAsync(pcId, session, type, frame.Id, buffer.AsMemory(0, frame.Length), frame.Form == BlobFrameForm.Zstd, frame.PlaintextLength, stored, ct).ConfigureAwait(false);
                    stored.Add(frame.Id);
                }
                catch (EndOfStreamException)
                {
                    throw new UploadRejectedException($"the batch ended inside the frame of blob {frame.Id}");
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        finally
        {
            // What was stored is known, whatever comes after it: the next known query need not ask for it again.
            if (stored.Count > 0) await catalog.AddKnownBlobsAsync(pcId, [.. stored.Select(id => id.ToString())], CancellationToken.None).ConfigureAwait(false);
        }

        return stored.Count;
    }

    /// <summary>Reads a frame header; false at the end of the body, which must fall between frames.</summary>
    private static async Task<bool> ReadFrameHeaderAsync(Stream body, byte[] header, CancellationToken ct)
    {
        var read = await body.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        return read == header.Length
            ? true
            : read == 0 ? false : throw new UploadRejectedException("the batch ended inside a frame header");
    }

    private static BlobType ParseType(string? blobType) =>
        BlobTypeNames.TryParse(blobType, out var type) ? type : throw new NotFoundException($"there is no blob type '{blobType}' (use data or tree)");

    /// <summary>
    /// Verifies one blob and queues it for storage. <paramref name="plaintextLength"/>, when given, must be the
    /// decompressed length; <paramref name="alsoKnown"/> are blobs of the same batch that a tree may name.
    /// </summary>
    private async Task StoreAsync(string pcId, SessionRecord session, BlobType type, ObjectId id, ReadOnlyMemory<byte> body, bool zstd,
        int? plaintextLength, HashSet<ObjectId>? alsoKnown, CancellationToken ct)
    {
        var max = MaxRawLength(type);
        byte[]? rented = null;
        try
        {
            ReadOnlyMemory<byte> raw;
            if (zstd)
            {
                rented = ArrayPool<byte>.Shared.Rent(max);
                int length;
                try
                {
                    length = Zstd.Decompress(body.Span, rented.AsSpan(0, max));
                }
                catch (InvalidDataException)
                {
                    throw new UploadRejectedException($"blob {id}: the body is not zstd data of at most {max} bytes");
                }

                raw = rented.AsMemory(0, length);
            }
            else
            {
                if (body.Length > max) throw new UploadRejectedException($"blob {id}: {body.Length} bytes is more than the {max} allowed");
                raw = body;
            }

            if (plaintextLength is { } expected && raw.Length != expected)
            {
                throw new UploadRejectedException($"blob {id}: {raw.Length} bytes of plaintext, the frame says {expected}");
            }

            if (repository.ComputeId(raw.Span) != id)
            {
                throw new UploadRejectedException($"blob {id}: its content does not match its ID");
            }

            if (type == BlobType.Tree)
            {
                await CheckTreeAsync(pcId, id, raw, alsoKnown, ct).ConfigureAwait(false);
            }

            var writer = writers.For(session.Id);
            try
            {
                // Stored in the form the agent sent, just verified: its zstd bytes, or the raw bytes it judged
                // incompressible. The server decompresses each upload once and compresses nothing.
                await writer.SavePreparedAsync(type, id, raw, zstd ? body : default, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                writers.Drop(session.Id, writer);
                if (await catalog.GetSessionAsync(session.Id, ct).ConfigureAwait(false) is not { State: SessionValues.Open })
                {
                    // Closed (abandoned or its job cancelled) while this upload was being stored: the writer went
                    // with it. A refusal, not a server fault; the blob is not known, so a later backup sends it.
                    throw new UploadRejectedException($"session {session.Id} was closed during the upload of blob {id}; it was not stored");
                }

                throw;
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Makes the session's uploads durable.</summary>
    public Task CheckpointAsync(SessionRecord session, CancellationToken ct)
    {
        slots.Hold(session.PcId);
        return writers.FlushAsync(session.Id, ct);
    }

    /// <summary>
    /// Flushes the session, checks that every blob the snapshot references is durable, of the right type and in the
    /// PC's known set, then writes the snapshot with the server's receive time and records it.
    /// </summary>
    public async Task<CommitResponse> CommitAsync(string pcId, SessionRecord session, CommitRequest request, CancellationToken ct)
    {
        var received = time.GetUtcNow();
        CheckPaths(request.Paths);
        if (request.Excludes is { Count: > PolicyDto.MaxPatterns }) throw new UploadRejectedException($"more than {PolicyDto.MaxPatterns} excludes");
        var root = ParseId(request.Tree);
        slots.Hold(pcId);
        var pc = await catalog.GetPcAsync(pcId, ct).ConfigureAwait(false) ?? throw new NotFoundException($"there is no PC {pcId}");
        await writers.FlushAsync(session.Id, ct).ConfigureAwait(false);

        // From checking the references until the snapshot and its verified trees are recorded, hortd does not
        // acknowledge a deletion: a prune must either see this snapshot, or the commit must see the index (and the
        // verified sets) without the deleted packs.
        using var committing = await gate.EnterSharedAsync(ct).ConfigureAwait(false);
        // Subtrees checked in one of this PC's committed snapshots are not entered again (protocol.md §7).
        await catalog.DropStaleVerifiedTreesAsync(pcId, ct).ConfigureAwait(false);
        var (files, referenced, walked) = await CommitWalk.RunAsync(repository, root, trees => VerifiedTreesAsync(pcId, trees, ct), ct).ConfigureAwait(false);
        var hexes = referenced.Select(r => r.ToString()).ToList();
        var known = await catalog.KnownBlobsAsync(pcId, hexes, ct).ConfigureAwait(false);
        if (hexes.FirstOrDefault(h => !known.Contains(h)) is { } foreign)
        {
            throw new UploadRejectedException($"blob {foreign} is referenced but was neither uploaded by this PC nor part of its earlier snapshots");
        }

        var snapshot = new Snapshot
        {
            Time = received,
            Tree = root,
            Paths = request.Paths,
            Excludes = request.Excludes ?? [],
            Hostname = pc.Name,
            Username = "",
            Tags = [PcTagPrefix + pcId],
            Program = "hortd " + typeof(BackupSessions).Assembly.GetName().Version?.ToString(3),
            Summary = new SnapshotSummary
            {
                Files = files,
                Directories = request.Summary?.Directories ?? 0,
                TotalBytes = request.Summary?.TotalBytes ?? 0,
                Errors = request.Summary?.Errors ?? 0,
                Started = request.StartedAt,
                Finished = received,
            },
        };
        // A lease that could not be kept fresh may have been judged stale by a prune: commit nothing then.
        await lease.EnsureHeldAsync(gate.LeaseLapsesHandled, ct).ConfigureAwait(false);
        if (await catalog.GetSessionAsync(session.Id, ct).ConfigureAwait(false) is not { State: SessionValues.Open })
        {
            throw new UploadRejectedException($"session {session.Id} was closed while committing (its job was cancelled); nothing was committed");
        }

        var snapshotId = await repository.SaveSnapshotAsync(snapshot, ct).ConfigureAwait(false);
        await catalog.AddSnapshotAsync(ToDto(snapshotId, pcId, snapshot), ct).ConfigureAwait(false);
        await catalog.AddVerifiedTreesAsync(pcId, snapshotId.ToString(), walked.Select(w => (w.Key.ToString(), w.Value)), ct).ConfigureAwait(false);
        await catalog.CloseSessionAsync(session.Id, SessionValues.Committed, snapshotId.ToString(), ct).ConfigureAwait(false);
        await writers.CloseAsync(session.Id, ct).ConfigureAwait(false);
        slots.Release(pcId);
        return new CommitResponse(snapshotId.ToString(), received);
    }

    /// <summary>Closes the session; what it uploaded stays durable and known.</summary>
    public async Task AbandonAsync(SessionRecord session, CancellationToken ct)
    {
        await writers.CloseAsync(session.Id, ct).ConfigureAwait(false);
        await catalog.CloseSessionAsync(session.Id, SessionValues.Abandoned, null, ct).ConfigureAwait(false);
        slots.Release(session.PcId);
    }

    /// <summary>
    /// Closes the PC's open session because its backup job was cancelled: nothing is committed from it, what it
    /// uploaded stays durable and known (the next backup does not send it again). Returns the session's ID, if any.
    /// </summary>
    public async Task<string?> CancelOpenSessionAsync(string pcId, CancellationToken ct)
    {
        if (await catalog.OpenSessionOfAsync(pcId, ct).ConfigureAwait(false) is not { } session) return null;
        await catalog.CloseSessionAsync(session.Id, SessionValues.Cancelled, null, ct).ConfigureAwait(false);
        await writers.CloseAsync(session.Id, ct).ConfigureAwait(false);
        slots.Release(pcId);
        return session.Id;
    }

    internal static SnapshotDto ToDto(ObjectId id, string pcId, Snapshot s) =>
        new(id.ToString(), pcId, s.Time, s.Hostname, s.Paths, s.Tree.ToString(), s.Summary?.Files ?? 0, s.Summary?.TotalBytes ?? 0);

    /// <summary>The verified set of a walk that trusts no earlier check: empty, shared by every call and level.</summary>
    private static readonly Task<IReadOnlyDictionary<ObjectId, long>> NothingVerified = Task.FromResult<IReadOnlyDictionary<ObjectId, long>>(new Dictionary<ObjectId, long>());

    /// <summary>
    /// Every blob reachable from <paramref name="root"/>, each checked to be indexed with the type it is used as,
    /// and the number of files. Throws <see cref="UploadRejectedException"/> naming the first missing or mistyped blob.
    /// </summary>
    internal static async Task<(long Files, HashSet<ObjectId> Referenced)> WalkAsync(HortRepository repository, ObjectId root, CancellationToken ct)
    {
        var walk = await CommitWalk.RunAsync(repository, root, static _ => NothingVerified, ct).ConfigureAwait(false);
        return (walk.Files, walk.Referenced);
    }

    private async Task<IReadOnlyDictionary<ObjectId, long>> VerifiedTreesAsync(string pcId, IReadOnlyCollection<ObjectId> trees, CancellationToken ct)
    {
        var found = await catalog.VerifiedTreesAsync(pcId, [.. trees.Select(t => t.ToString())], ct).ConfigureAwait(false);
        return found.ToDictionary(f => ObjectId.Parse(f.Key), f => f.Value);
    }

    private async Task CheckTreeAsync(string pcId, ObjectId blobId, ReadOnlyMemory<byte> raw, HashSet<ObjectId>? alsoKnown, CancellationToken ct)
    {
        Tree tree;
        try
        {
            tree = Tree.Decode(raw.Span, "tree " + blobId);
        }
        catch (RepositoryCorruptException e)
        {
            throw new UploadRejectedException($"tree {blobId} is malformed: {e.Problem}");
        }
        catch (Exception e) when (e is UnsupportedFormatException or ArgumentException)
        {
            throw new UploadRejectedException($"tree {blobId} is malformed: {e.Message}");
        }

        var references = tree.References().Distinct().Where(r => alsoKnown?.Contains(r) != true).Select(r => r.ToString()).ToList();
        var known = references.Count == 0 ? [] : await catalog.KnownBlobsAsync(pcId, references, ct).ConfigureAwait(false);
        if (references.FirstOrDefault(r => !known.Contains(r)) is { } unknown)
        {
            throw new UploadRejectedException($"tree {blobId} names blob {unknown}, which this PC has not uploaded and its snapshots do not contain; upload it first");
        }
    }

    private int MaxRawLength(BlobType type) => type == BlobType.Data ? repository.Config.Chunker.MaxSize : SessionValues.MaxTreeBytes;

    private static ObjectId ParseId(string? hex) =>
        ObjectId.TryParse(hex, out var id) ? id : throw new BadHttpRequestException($"'{hex}' is not a blob ID (64 lower-case hex digits)");

    private static void CheckPaths(IReadOnlyList<string>? paths)
    {
        if (paths is null || paths.Count is 0 or > MaxPaths
            || paths.Any(p => p is null || !p.StartsWith('/') || p.Contains('\0', StringComparison.Ordinal) || p.Length > 4096))
        {
            throw new BadHttpRequestException($"paths must list 1..{MaxPaths} absolute paths");
        }
    }
}
