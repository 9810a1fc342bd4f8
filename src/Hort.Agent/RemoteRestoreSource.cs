using Hort.Core;
using Hort.Engine.Restore;
using Hort.Repository.Chunking;
using Hort.Repository.Format;
using Hort.Repository.Trees;

namespace Hort.Agent;

/// <summary>
/// Reads a snapshot of this PC through the server's ownership-checked routes (protocol.md §8). Every tree and chunk is
/// checked against its ID with the dedup keys, so a wrong answer is reported as damage and never written.
/// </summary>
/// <remarks>A <see cref="RateLimit"/> paces the chunk downloads (<c>--limit-download</c>).</remarks>
public sealed class RemoteRestoreSource(ServerClient client, ChunkingKeys keys, RateLimit? downloadLimit = null) : IRestoreSource
{
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
