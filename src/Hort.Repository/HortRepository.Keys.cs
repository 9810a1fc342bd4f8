using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Storage;

namespace Hort.Repository;

/// <summary>A key file as listed to users.</summary>
public sealed record KeyInfo(ObjectId Id, DateTimeOffset Created, string Hostname, string Username, bool IsCurrent);

public sealed partial class HortRepository
{
    /// <summary>Every key file; the one opened with the current password is marked.</summary>
    public async Task<IReadOnlyList<KeyInfo>> ListKeysAsync(CancellationToken cancellationToken = default)
    {
        var list = new List<KeyInfo>();
        await foreach (var (objectId, info) in ListObjectsAsync(BlobKind.Key, cancellationToken).ConfigureAwait(false))
        {
            var bytes = await Store.GetAsync(info.Name, cancellationToken).ConfigureAwait(false);
            var file = KeyFile.Parse(bytes, info.Name.ToString());
            var id = objectId;
            list.Add(new KeyInfo(id, file.Created, file.Hostname, file.Username, id == KeyId));
        }

        list.Sort(static (a, b) => a.Created.CompareTo(b.Created));
        return list;
    }

    /// <summary>Adds a key: the same master key wrapped by another password.</summary>
    public Task<ObjectId> AddKeyAsync(string password, KeyDerivationCost cost, string hostname, string username, CancellationToken cancellationToken = default) =>
        WriteKeyFileAsync(Store, Key, password, cost, hostname, username, Time, cancellationToken);

    /// <summary>Removes a key. The key in use cannot be removed (use <see cref="ChangePasswordAsync"/>).</summary>
    public async Task RemoveKeyAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        if (id == KeyId)
        {
            throw new HortException("refusing to remove the key that opened the repository; use 'key passwd' to change its password, or open with another key");
        }

        var name = BlobName.For(BlobKind.Key, id);
        if (await Store.StatAsync(name, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new NotFoundException($"no key {id}");
        }

        var others = 0;
        await foreach (var (other, _) in ListObjectsAsync(BlobKind.Key, cancellationToken).ConfigureAwait(false))
        {
            if (other != id) others++;
        }

        if (others == 0)
        {
            throw new HortException("refusing to remove the last key: without it nobody could open the repository");
        }

        await Store.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the current key by one with a new password (the new key is written before the old is removed).</summary>
    public async Task<ObjectId> ChangePasswordAsync(string newPassword, KeyDerivationCost cost, string hostname, string username, CancellationToken cancellationToken = default)
    {
        var newId = await AddKeyAsync(newPassword, cost, hostname, username, cancellationToken).ConfigureAwait(false);
        var oldId = KeyId;
        KeyId = newId;
        await Store.DeleteAsync(BlobName.For(BlobKind.Key, oldId), cancellationToken).ConfigureAwait(false);
        return newId;
    }

    /// <summary>Resolves a key ID or unique prefix.</summary>
    public async Task<ObjectId> FindKeyAsync(string reference, CancellationToken cancellationToken = default)
    {
        var matches = new List<ObjectId>();
        await foreach (var (objectId, info) in ListObjectsAsync(BlobKind.Key, cancellationToken).ConfigureAwait(false))
        {
            if (info.Name.Name.StartsWith(reference.ToLowerInvariant(), StringComparison.Ordinal))
            {
                matches.Add(objectId);
            }
        }

        return matches.Count == 1
            ? matches[0]
            : throw new NotFoundException(matches.Count == 0 ? $"no key matches '{reference}'" : $"'{reference}' matches several keys; give more digits");
    }

    /// <summary>The stored config decrypted, as JSON.</summary>
    public byte[] ConfigJson() => Config.ToJson();
}
