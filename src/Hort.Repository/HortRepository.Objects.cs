using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Hort.Core;
using Hort.Storage;

namespace Hort.Repository;

/// <summary>A stored repository object: its ID (the name) and size.</summary>
public readonly record struct StoredObject(ObjectId Id, BlobInfo Info);

public sealed partial class HortRepository
{
    /// <summary>
    /// Every object of a kind whose name is an ID (exactly 64 lower-case hex digits). Anything else in the store
    /// is not part of the repository and is ignored, as the format requires.
    /// </summary>
    public IAsyncEnumerable<StoredObject> ListObjectsAsync(BlobKind kind, CancellationToken cancellationToken = default) =>
        ListObjectsAsync(Store, kind, cancellationToken);

    /// <summary>As the instance method, for a store not yet opened as a repository.</summary>
    private static async IAsyncEnumerable<StoredObject> ListObjectsAsync(
        IBlobStore store, BlobKind kind, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var info in store.ListAsync(kind, cancellationToken).ConfigureAwait(false))
        {
            if (ObjectId.TryParse(info.Name.Name, out var id))
            {
                yield return new StoredObject(id, info);
            }
        }
    }

    /// <summary>Reads a content-addressed object and checks that its bytes match its name (SHA-256).</summary>
    public async Task<byte[]> GetVerifiedAsync(BlobKind kind, ObjectId id, CancellationToken cancellationToken = default)
    {
        var name = BlobName.For(kind, id);
        var stored = await Store.GetAsync(name, cancellationToken).ConfigureAwait(false);
        if (new ObjectId(SHA256.HashData(stored)) != id)
        {
            throw new RepositoryCorruptException(name.ToString(), "content does not match its name (SHA-256 mismatch)");
        }

        return stored;
    }

    /// <summary>Stores an object under the SHA-256 of its bytes and returns that ID.</summary>
    private static async Task<ObjectId> PutContentAddressedAsync(IBlobStore store, BlobKind kind, byte[] stored, CancellationToken cancellationToken)
    {
        var id = new ObjectId(SHA256.HashData(stored));
        await store.PutAsync(BlobName.For(kind, id), stored, cancellationToken).ConfigureAwait(false);
        return id;
    }
}
