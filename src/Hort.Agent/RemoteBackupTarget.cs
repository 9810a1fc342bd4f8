using Hort.Core;
using Hort.Engine.Backup;
using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Chunking;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;

namespace Hort.Agent;

/// <summary>
/// Backs up through a server's backup session (protocol.md §7): content is split and named here with the dedup keys,
/// the server is asked which blobs it needs from this PC, only those are uploaded (zstd-compressed), and the snapshot
/// is committed by the server, which checks every reference and stamps its own time.
/// </summary>
public sealed class RemoteBackupTarget(ServerClient client, string sessionId, ChunkingKeys keys, TimeProvider time, RateLimit? uploadLimit = null) : IBackupTarget
{
    private readonly HashSet<ObjectId> _parentChunks = [];
    private readonly Lock _parentLock = new();

    public TimeProvider Time => time;

    /// <summary>Bytes sent so far (compressed), for progress.</summary>
    public long BytesUploaded => Uploader?.BytesSent ?? 0;

    internal SessionUploader? Uploader { get; private set; }

    /// <summary>What the server's commit answered.</summary>
    public CommitResponse? Committed { get; private set; }

    public Chunker CreateChunker() => keys.CreateChunker();

    public ObjectId ComputeId(ReadOnlySpan<byte> plaintext) => keys.ComputeId(plaintext);

    /// <summary>
    /// A tree of the parent snapshot, read through the ownership-checked route. Its chunks are in this PC's known set
    /// (they belong to its own snapshot), so files it describes unchanged need neither reading nor uploading.
    /// </summary>
    public async Task<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken)
    {
        var bytes = await client.TreeAsync(id.ToString(), cancellationToken).ConfigureAwait(false);
        if (keys.ComputeId(bytes) != id) throw new RepositoryCorruptException("tree " + id, "the server sent content that does not match its ID");
        var tree = Tree.Decode(bytes, "tree " + id);
        lock (_parentLock)
        {
            foreach (var node in tree.Nodes)
            {
                foreach (var chunk in node.Content) _parentChunks.Add(chunk);
            }
        }

        return tree;
    }

    public IBackupWriter OpenWriter() => Uploader = new SessionUploader(client, sessionId, keys, IsParentChunk, uploadLimit ?? RateLimit.None);

    public async Task<ObjectId> SaveSnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken)
    {
        var summary = snapshot.Summary is { } s ? new SnapshotSummaryDto(s.Files, s.Directories, s.TotalBytes, s.Errors) : null;
        Committed = await client.CommitAsync(sessionId, new CommitRequest(snapshot.Tree.ToString(), snapshot.Paths, snapshot.Excludes, snapshot.Time, summary), cancellationToken)
            .ConfigureAwait(false);
        return ObjectId.Parse(Committed.SnapshotId);
    }

    private bool IsParentChunk(ObjectId id)
    {
        lock (_parentLock)
        {
            return _parentChunks.Contains(id);
        }
    }
}
