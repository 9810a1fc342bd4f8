using System.Buffers.Binary;
using System.Security.Cryptography;
using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Crypto;
using Hort.Repository.Format;

namespace Hort.Repository.Packs;

/// <summary>
/// A finished pack: its bytes (in a pooled buffer, returned on <see cref="Dispose"/>), its name (SHA-256 of the
/// bytes) and the blobs it holds.
/// </summary>
public sealed class FinishedPack : IDisposable
{
    private byte[] _buffer;

    internal FinishedPack(ObjectId id, byte[] buffer, int length, IReadOnlyList<PackEntry> entries)
    {
        Id = id;
        _buffer = buffer;
        Length = length;
        Entries = entries;
    }

    public ObjectId Id { get; }

    public int Length { get; }

    public IReadOnlyList<PackEntry> Entries { get; }

    /// <summary>The pack's bytes; valid until disposed.</summary>
    public ReadOnlyMemory<byte> Content => _buffer.AsMemory(0, Length);

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            LargeBuffers.Return(_buffer);
            _buffer = [];
        }
    }
}

/// <summary>
/// Collects blob envelopes into one pack file:
/// <c>magic · envelope₀ · envelope₁ · … · header envelope · uint32 header length</c>.
/// Not thread-safe; one writer per pack.
/// </summary>
public sealed class PackWriter : IDisposable
{
    private readonly BlobCodec _codec;
    private readonly List<PackEntry> _entries = [];
    private byte[] _buffer;
    private int _length;

    public PackWriter(BlobCodec codec, int initialCapacity = 1 << 20)
    {
        _codec = codec;
        _buffer = LargeBuffers.Rent(Math.Max(initialCapacity, 64));
        FormatVersion.PackMagic.CopyTo(_buffer);
        _length = FormatVersion.PackMagic.Length;
    }

    /// <summary>Bytes written so far (without the header still to come).</summary>
    public int Length => _length;

    /// <summary>The length of the finished pack if it were finished now.</summary>
    public int FinishedLength => _length + TrailerLength(_entries.Count);

    /// <summary>Bytes the encrypted header and the trailer add to a pack of <paramref name="entries"/> blobs.</summary>
    public static int TrailerLength(int entries) => 4 + (entries * PackEntry.Size) + ObjectCipher.Overhead + 4;

    /// <summary>Blobs added so far.</summary>
    public int Count => _entries.Count;

    /// <summary>Compresses, encrypts and appends one blob; returns its entry.</summary>
    public PackEntry Add(BlobType type, ObjectId id, ReadOnlySpan<byte> raw)
    {
        EnsureCapacity(BlobCodec.MaxStoredLength(raw.Length));
        var offset = _length;
        var stored = _codec.Seal(type, id, raw, _buffer.AsSpan(offset), out var compression);
        _length += stored;
        var entry = new PackEntry(type, compression, (uint)offset, (uint)stored, (uint)raw.Length, id);
        _entries.Add(entry);
        return entry;
    }

    /// <summary>Appends an envelope that was sealed elsewhere (e.g. on another thread) at the end of the pack.</summary>
    public PackEntry AddSealed(BlobType type, ObjectId id, CompressionKind compression, uint rawLength, ReadOnlySpan<byte> envelope)
    {
        EnsureCapacity(envelope.Length);
        var offset = _length;
        envelope.CopyTo(_buffer.AsSpan(offset));
        _length += envelope.Length;
        var entry = new PackEntry(type, compression, (uint)offset, (uint)envelope.Length, rawLength, id);
        _entries.Add(entry);
        return entry;
    }

    /// <summary>Appends the encrypted header and trailer and returns the complete pack.</summary>
    public FinishedPack Finish()
    {
        var trailerLength = TrailerLength(_entries.Count);
        EnsureCapacity(trailerLength);
        WriteTrailer(_codec, _entries, _buffer.AsSpan(_length, trailerLength));
        _length += trailerLength;

        // The buffer moves to the finished pack; this writer is done.
        var buffer = _buffer;
        _buffer = [];
        var id = new ObjectId(SHA256.HashData(buffer.AsSpan(0, _length)));
        return new FinishedPack(id, buffer, _length, _entries.ToArray());
    }

    /// <summary>
    /// Writes what follows the blobs of a pack holding <paramref name="entries"/>: the header envelope and its
    /// <c>uint32</c> length, <see cref="TrailerLength"/> bytes in all.
    /// </summary>
    internal static void WriteTrailer(BlobCodec codec, IReadOnlyList<PackEntry> entries, Span<byte> destination)
    {
        var header = new byte[4 + (entries.Count * PackEntry.Size)];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            entries[i].Write(header.AsSpan(4 + (i * PackEntry.Size), PackEntry.Size));
        }

        var envelopeLength = header.Length + ObjectCipher.Overhead;
        codec.Cipher.Encrypt(header, FormatVersion.PackHeaderContext, destination[..envelopeLength]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(envelopeLength, 4), (uint)envelopeLength);
    }

    private void EnsureCapacity(int extra)
    {
        if (_length + extra <= _buffer.Length)
        {
            return;
        }

        var bigger = LargeBuffers.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        LargeBuffers.Return(_buffer);
        _buffer = bigger;
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            LargeBuffers.Return(_buffer);
            _buffer = [];
        }
    }
}
