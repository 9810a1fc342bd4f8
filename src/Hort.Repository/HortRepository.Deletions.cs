using Hort.Core;
using Hort.Repository.Indexing;
using Hort.Repository.Maintenance;
using Hort.Storage;

namespace Hort.Repository;

public sealed partial class HortRepository
{
    /// <summary>Packs a pending prune is going to delete; a writer's index leaves them out (see LoadIndexForWritingAsync).</summary>
    private HashSet<ObjectId> _excludedPacks = [];

    /// <summary>Every deletion record in the store. One that cannot be read is an error naming it.</summary>
    public async Task<IReadOnlyList<DeletionRecord>> ReadDeletionRecordsAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<DeletionRecord>();
        await foreach (var (id, _) in ListObjectsAsync(BlobKind.Deletion, cancellationToken).ConfigureAwait(false))
        {
            byte[] stored;
            try
            {
                stored = await GetVerifiedAsync(BlobKind.Deletion, id, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobNotFoundException)
            {
                continue; // a prune finished it while we listed
            }

            list.Add(DeletionRecord.Open(Codec.Cipher, id, stored));
        }

        return list;
    }

    /// <summary>
    /// Loads the index for a writer (a backup): reads the deletion records first and leaves out every pack they name,
    /// also when adopting unindexed packs later, so that nothing new comes to rely on data a prune is deleting.
    /// Call while holding a lease written before this, and acknowledge the returned records on that lease.
    /// </summary>
    public async Task<IReadOnlyList<ObjectId>> LoadIndexForWritingAsync(CancellationToken cancellationToken = default)
    {
        var records = await ReadDeletionRecordsAsync(cancellationToken).ConfigureAwait(false);
        _excludedPacks = [.. records.SelectMany(static r => r.Packs.Select(static p => p.PackId))];
        await LoadIndexAsync(cancellationToken).ConfigureAwait(false);
        return [.. records.Select(static r => r.Id)];
    }

    /// <summary>
    /// For a writer that runs for a long time (a server): reads the deletion records and the index files again and
    /// replaces <see cref="Index"/> in one step with what they list, leaving out every pack a record names and keeping
    /// the packs this process added that no index file lists yet (its writers' newest packs). Returns the records taken
    /// into account. Acknowledge them on the writer's lease only once nothing checked against the old index can still
    /// commit: from then on a prune may delete those packs.
    /// </summary>
    /// <param name="dropMissingPacks">
    /// Also leave out every pack of the current index that storage no longer has — after the writer's lease lapsed, a
    /// prune may have deleted announced packs and removed its record before this writer saw it.
    /// </param>
    /// <param name="cancellationToken">Cancels the reading; the index is replaced only at the end.</param>
    public async Task<IReadOnlyList<ObjectId>> RefreshIndexForWritingAsync(bool dropMissingPacks = false, CancellationToken cancellationToken = default)
    {
        // Packs in the index before the listing were stored before it, so one the listing lacks was deleted.
        var before = dropMissingPacks ? Index.Packs() : [];
        var records = await ReadDeletionRecordsAsync(cancellationToken).ConfigureAwait(false);
        HashSet<ObjectId> excluded = [.. records.SelectMany(static r => r.Packs.Select(static p => p.PackId))];
        var dropped = new HashSet<ObjectId>(excluded);
        if (dropMissingPacks)
        {
            var stored = new HashSet<ObjectId>();
            await foreach (var (id, _) in ListObjectsAsync(BlobKind.Pack, cancellationToken).ConfigureAwait(false))
            {
                stored.Add(id);
            }

            dropped.UnionWith(before.Select(static p => p.PackId).Where(p => !stored.Contains(p)));
        }

        var fresh = new BlobIndex();
        await ReadIndexFilesAsync(() => fresh, () => fresh = new BlobIndex(), dropped, null, null, null, cancellationToken).ConfigureAwait(false);
        _excludedPacks = excluded;
        Index.Rebase(fresh, dropped);
        return [.. records.Select(static r => r.Id)];
    }

    /// <summary>Stores an object under the SHA-256 of its bytes; for maintenance code in this assembly.</summary>
    internal Task<ObjectId> PutObjectAsync(BlobKind kind, byte[] stored, CancellationToken cancellationToken) =>
        PutContentAddressedAsync(Store, kind, stored, cancellationToken);
}
