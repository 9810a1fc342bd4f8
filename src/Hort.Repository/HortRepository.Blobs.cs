using System.Collections.Concurrent;
using Hort.Core;
using Hort.Repository.Format;
using Hort.Repository.Packs;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Repository;

public sealed partial class HortRepository
{
    private readonly ConcurrentDictionary<ObjectId, Tree> _treeCache = new();

    /// <summary>Loads, decrypts and verifies one blob.</summary>
    public async Task<byte[]> LoadBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken = default)
    {
        if (!Index.TryGet(id, out var location) || location.Entry.Type != type)
        {
            throw new RepositoryCorruptException($"{type.ToString().ToLowerInvariant()} blob {id}", "not found in the index (missing data)");
        }

        var envelope = new byte[location.Entry.StoredLength];
        var name = BlobName.For(BlobKind.Pack, location.PackId);
        try
        {
            await PackReader.ReadExactlyAsync(Store, name, location.Entry.Offset, envelope, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException e)
        {
            throw new RepositoryCorruptException(name.ToString(), $"pack is missing (needed for blob {id})", e);
        }

        return Codec.Open(envelope, location.Entry, location.PackId);
    }

    /// <summary>Loads and decodes a tree, caching recently used ones.</summary>
    public async Task<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        if (_treeCache.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var bytes = await LoadBlobAsync(BlobType.Tree, id, cancellationToken).ConfigureAwait(false);
        var tree = Tree.Decode(bytes, $"tree {id}");
        if (_treeCache.Count > 4096)
        {
            _treeCache.Clear();
        }

        _treeCache.TryAdd(id, tree);
        return tree;
    }
}
