using System.Runtime.CompilerServices;
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
    public async IAsyncEnumerable<StoredObject> ListObjectsAsync(BlobKind kind, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var info in Store.ListAsync(kind, cancellationToken).ConfigureAwait(false))
        {
            if (ObjectId.TryParse(info.Name.Name, out var id))
            {
                yield return new StoredObject(id, info);
            }
        }
    }
}
