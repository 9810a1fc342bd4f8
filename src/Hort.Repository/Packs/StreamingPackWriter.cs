using System.Buffers;
using System.Security.Cryptography;
using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Storage;

namespace Hort.Repository.Packs;

/// <summary>
/// A pack whose bytes are all in a staged put of the store: its name (SHA-256 of the bytes) and the blobs it holds are
/// known, and <see cref="CommitAsync"/> stores it under that name. Disposing it uncommitted abandons it.
/// </summary>
public sealed class StagedPack : IDisposable
{
    private readonly IStagedBlob _blob;

    internal StagedPack(ObjectId id, int length, IReadOnlyList<PackEntry> entries, IStagedBlob blob)
    {
        Id = id;
        Length = length;
        Entries = entries;
        _blob = blob;
    }

    public ObjectId Id { get; }

    public int Length { get; }

    public IReadOnlyList<PackEntry> Entries { get; }

    /// <summary>Stores the pack durably under its name (<c>data/xx/&lt;ID&gt;</c>).</summary>
    public Task CommitAsync(CancellationToken cancellationToken) =>
        _blob.CommitAsync(BlobName.For(BlobKind.Pack, Id), cancellationToken);

    public void Dispose() => _blob.Dispose();
}

/// <summary>
/// Builds a pack as <see cref="PackWriter"/> does, byte for byte, but appends each envelope straight to a staged put
/// (<see cref="IBlobStore.BeginPut"/>) and hashes it as it goes, so no pack is held in memory and finishing a pack
/// hashes only its header. Not thread-safe; one writer per pack.
/// </summary>
public sealed class StreamingPackWriter : IDisposable
{
    private readonly BlobCodec _codec;
    private readonly List<PackEntry> _entries = [];
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private IStagedBlob? _blob;
    private int _length;

    /// <summary>Begins a staged put of a pack in <paramref name="store"/> and writes the pack's magic.</summary>
    public StreamingPackWriter(BlobCodec codec, IBlobStore store)
    {
        _codec = codec;
        _blob = store.BeginPut(BlobKind.Pack);
        try
        {
            Append(FormatVersion.PackMagic);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Bytes written so far (without the header still to come).</summary>
    public int Length => _length;

    /// <summary>The length of the finished pack if it were finished now.</summary>
    public int FinishedLength => _length + PackWriter.TrailerLength(_entries.Count);

    /// <summary>Blobs added so far.</summary>
    public int Count => _entries.Count;

    /// <summary>Appends an envelope sealed elsewhere (e.g. on another thread) at the end of the pack.</summary>
    public PackEntry AddSealed(BlobType type, ObjectId id, CompressionKind compression, uint rawLength, ReadOnlySpan<byte> envelope)
    {
        var offset = _length;
        Append(envelope);
        var entry = new PackEntry(type, compression, (uint)offset, (uint)envelope.Length, rawLength, id);
        _entries.Add(entry);
        return entry;
    }

    /// <summary>
    /// Appends the encrypted header and trailer and hands the staged put over to the returned pack, which the caller
    /// commits (or disposes to abandon it); this writer is done.
    /// </summary>
    public StagedPack Finish()
    {
        var trailerLength = PackWriter.TrailerLength(_entries.Count);
        var trailer = ArrayPool<byte>.Shared.Rent(trailerLength);
        try
        {
            PackWriter.WriteTrailer(_codec, _entries, trailer.AsSpan(0, trailerLength));
            Append(trailer.AsSpan(0, trailerLength));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(trailer);
        }

        var blob = _blob ?? throw new ObjectDisposedException(nameof(StreamingPackWriter));
        _blob = null;
        return new StagedPack(new ObjectId(_hash.GetHashAndReset()), _length, _entries.ToArray(), blob);
    }

    /// <summary>Writes bytes at the end of the file and into the hash, which so sees the whole file in order.</summary>
    private void Append(ReadOnlySpan<byte> bytes)
    {
        var blob = _blob ?? throw new ObjectDisposedException(nameof(StreamingPackWriter));
        blob.Write(bytes);
        _hash.AppendData(bytes);
        _length += bytes.Length;
    }

    /// <summary>Abandons the staged put unless <see cref="Finish"/> handed it over.</summary>
    public void Dispose()
    {
        _blob?.Dispose();
        _blob = null;
        _hash.Dispose();
    }
}
