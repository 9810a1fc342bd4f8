using System.Runtime.CompilerServices;
using Hort.Core;
using Hort.Repository.Snapshots;
using Hort.Storage;

namespace Hort.Repository;

public sealed partial class HortRepository
{
    /// <summary>
    /// Stores a snapshot. Call only after the <see cref="BlobWriter"/> that wrote its blobs was flushed:
    /// the snapshot is the commit point and must never reference data that is not durable.
    /// </summary>
    public async Task<ObjectId> SaveSnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken = default)
    {
        return await PutContentAddressedAsync(Store, BlobKind.Snapshot, SnapshotCodec.Seal(Codec.Cipher, snapshot), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Loads one snapshot, checking that its content matches its name.</summary>
    public async Task<Snapshot> LoadSnapshotAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        var stored = await GetVerifiedAsync(BlobKind.Snapshot, id, cancellationToken).ConfigureAwait(false);
        return SnapshotCodec.Open(Codec.Cipher, stored, BlobName.For(BlobKind.Snapshot, id).ToString());
    }

    /// <summary>Every snapshot, oldest first. A damaged snapshot raises an error naming it.</summary>
    public async Task<IReadOnlyList<StoredSnapshot>> ListSnapshotsAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<StoredSnapshot>();
        await foreach (var s in EnumerateSnapshotsAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(s);
        }

        list.Sort(static (a, b) => a.Snapshot.Time != b.Snapshot.Time
            ? a.Snapshot.Time.CompareTo(b.Snapshot.Time)
            : a.Id.CompareTo(b.Id));
        return list;
    }

    private async IAsyncEnumerable<StoredSnapshot> EnumerateSnapshotsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var (objectId, info) in ListObjectsAsync(BlobKind.Snapshot, cancellationToken).ConfigureAwait(false))
        {
            var id = objectId;
            yield return new StoredSnapshot(id, await LoadSnapshotAsync(id, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>
    /// Finds a snapshot by full ID, unique ID prefix (at least 4 hex digits) or "latest"
    /// (optionally restricted to a host).
    /// </summary>
    public async Task<StoredSnapshot> FindSnapshotAsync(string reference, string? host = null, CancellationToken cancellationToken = default)
    {
        if (reference == "latest")
        {
            var all = await ListSnapshotsAsync(cancellationToken).ConfigureAwait(false);
            var candidates = host is null ? all : all.Where(s => s.Snapshot.Hostname == host).ToList();
            return candidates.Count > 0
                ? candidates[^1]
                : throw new NotFoundException(host is null ? "the repository has no snapshots" : $"no snapshot from host {host}");
        }

        var prefix = reference.ToLowerInvariant();
        if (prefix.Length < 4 || prefix.Length > 64 || !Hex.IsLowerHex(prefix))
        {
            throw new NotFoundException($"'{reference}' is not a snapshot ID (give at least 4 hex digits or 'latest')");
        }

        var matches = new List<ObjectId>();
        await foreach (var (objectId, info) in ListObjectsAsync(BlobKind.Snapshot, cancellationToken).ConfigureAwait(false))
        {
            if (info.Name.Name.StartsWith(prefix, StringComparison.Ordinal))
            {
                matches.Add(objectId);
            }
        }

        return matches.Count switch
        {
            0 => throw new NotFoundException($"no snapshot matches '{reference}'"),
            1 => new StoredSnapshot(matches[0], await LoadSnapshotAsync(matches[0], cancellationToken).ConfigureAwait(false)),
            _ => throw new NotFoundException($"'{reference}' matches {matches.Count} snapshots; give more digits"),
        };
    }
}
