using System.Buffers;
using System.Collections.Concurrent;
using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Repository;

public sealed partial class HortRepository
{
    private readonly ConcurrentDictionary<ObjectId, Tree> _treeCache = new();

    /// <summary>Loads, decrypts and verifies one blob.</summary>
    public Task<byte[]> LoadBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken = default) =>
        LoadBlobAsync(Locate(type, id), cancellationToken);

    /// <summary>Loads, decrypts and verifies the blob at <paramref name="location"/>, found in an index of the caller's choosing.</summary>
    internal Task<byte[]> LoadBlobAsync(BlobLocation location, CancellationToken cancellationToken) =>
        WithEnvelopeAsync(location, static (repository, envelope, at) => repository.Codec.Open(envelope, at.Entry, at.PackId), cancellationToken);

    /// <summary>
    /// Loads a blob the way it is stored when it is stored compressed: decrypted and authenticated, but still a zstd
    /// frame, and not checked against its ID (whoever decompresses it must do that). For passing a blob on to a reader
    /// that takes zstd, without decompressing and compressing it again. A blob stored uncompressed is loaded and verified
    /// as by <see cref="LoadBlobAsync"/> and comes back with <see cref="CompressionKind.None"/>.
    /// </summary>
    public async Task<(byte[] Content, CompressionKind Compression)> LoadStoredBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken = default)
    {
        var location = Locate(type, id);
        return location.Entry.Compression == CompressionKind.Zstd
            ? (await WithEnvelopeAsync(location, static (repository, envelope, at) => repository.Codec.Decrypt(envelope, at.Entry, at.PackId), cancellationToken).ConfigureAwait(false), CompressionKind.Zstd)
            : (await LoadBlobAsync(location, cancellationToken).ConfigureAwait(false), CompressionKind.None);
    }

    /// <summary>
    /// As <see cref="LoadBlobAsync"/>, into a buffer rented from <see cref="ArrayPool{T}.Shared"/>: the blob is the
    /// first <c>Length</c> bytes of <c>Buffer</c>, and the caller returns the buffer to the pool. For hot paths that
    /// read many large blobs (restore), where a new array per blob would churn the large-object heap.
    /// </summary>
    public Task<(byte[] Buffer, int Length)> RentBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken = default) =>
        RentBlobAsync(Locate(type, id), cancellationToken);

    private Task<(byte[] Buffer, int Length)> RentBlobAsync(BlobLocation location, CancellationToken cancellationToken) =>
        WithEnvelopeAsync(location, static (repository, envelope, at) => repository.OpenRented(envelope, at), cancellationToken);

    /// <summary>What is made of one blob's envelope while it lies in a pooled buffer.</summary>
    private delegate T EnvelopeReader<T>(HortRepository repository, ReadOnlySpan<byte> envelope, BlobLocation location);

    /// <summary>Reads the envelope at <paramref name="location"/> into a pooled buffer and returns what <paramref name="read"/> makes of it.</summary>
    private async Task<T> WithEnvelopeAsync<T>(BlobLocation location, EnvelopeReader<T> read, CancellationToken cancellationToken)
    {
        var length = (int)location.Entry.StoredLength;
        var envelope = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            await ReadEnvelopeAsync(location, envelope, cancellationToken).ConfigureAwait(false);
            return read(this, envelope.AsSpan(0, length), location);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(envelope);
        }
    }

    /// <summary>Opens one envelope into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, which the caller returns; on failure the buffer is returned here.</summary>
    private (byte[] Buffer, int Length) OpenRented(ReadOnlySpan<byte> envelope, BlobLocation location)
    {
        var length = (int)location.Entry.RawLength;
        var raw = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            Codec.Open(envelope, location.Entry, location.PackId, raw.AsSpan(0, length));
            return (raw, length);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(raw);
            throw;
        }
    }

    private BlobLocation Locate(BlobType type, ObjectId id) =>
        Index.TryGet(id, out var location) && location.Entry.Type == type
            ? location
            : throw new RepositoryCorruptException($"{type.ToString().ToLowerInvariant()} blob {id}", "not found in the index (missing data)");

    private async Task ReadEnvelopeAsync(BlobLocation location, byte[] envelope, CancellationToken cancellationToken)
    {
        var name = BlobName.For(BlobKind.Pack, location.PackId);
        try
        {
            await PackReader.ReadExactlyAsync(Store, name, location.Entry.Offset, envelope.AsMemory(0, (int)location.Entry.StoredLength), cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException e)
        {
            throw new RepositoryCorruptException(name.ToString(), $"pack is missing (needed for blob {location.Entry.Id})", e);
        }
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
