using Hort.Core;
using Hort.Repository.Snapshots;
using Hort.Storage;

namespace Hort.Repository;

public sealed partial class HortRepository
{
    /// <summary>Every readable damage record by snapshot; records that do not open are returned as problems.</summary>
    public async Task<(Dictionary<ObjectId, DamageRecord> Records, List<(string Name, string Problem)> Unreadable)> LoadDamageRecordsAsync(CancellationToken cancellationToken = default)
    {
        var records = new Dictionary<ObjectId, DamageRecord>();
        var unreadable = new List<(string, string)>();
        await foreach (var (snapshot, info) in ListObjectsAsync(BlobKind.Damage, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var stored = await Store.GetAsync(info.Name, cancellationToken).ConfigureAwait(false);
                records[snapshot] = DamageRecord.Open(Codec.Cipher, stored, snapshot, info.Name.ToString());
            }
            catch (RepositoryCorruptException e)
            {
                unreadable.Add((info.Name.ToString(), e.Problem));
            }
            catch (BlobNotFoundException)
            {
                // Removed by a repair meanwhile.
            }
        }

        return (records, unreadable);
    }

    /// <summary>The damage record of one snapshot, or null when repair found nothing lost in it (or its record is unreadable).</summary>
    public async Task<DamageRecord?> TryLoadDamageRecordAsync(ObjectId snapshot, CancellationToken cancellationToken = default)
    {
        var name = BlobName.For(BlobKind.Damage, snapshot);
        try
        {
            return DamageRecord.Open(Codec.Cipher, await Store.GetAsync(name, cancellationToken).ConfigureAwait(false), snapshot, name.ToString());
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
        catch (RepositoryCorruptException)
        {
            return null;
        }
    }

    /// <summary>Stores (or replaces) the damage record of its snapshot.</summary>
    public Task WriteDamageRecordAsync(DamageRecord record, CancellationToken cancellationToken = default) =>
        Store.PutAsync(BlobName.For(BlobKind.Damage, record.Snapshot), record.Seal(Codec.Cipher), cancellationToken);

    /// <summary>Removes a snapshot's damage record (its data is complete again, or the snapshot is gone).</summary>
    public Task RemoveDamageRecordAsync(ObjectId snapshot, CancellationToken cancellationToken = default) =>
        Store.DeleteAsync(BlobName.For(BlobKind.Damage, snapshot), cancellationToken);
}
