using System.Buffers.Binary;
using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Format;

namespace Hort.Repository.Packs;

/// <summary>One blob's record in a pack header and in an index file: where it is and how it is stored.</summary>
/// <param name="Type">Data or tree.</param>
/// <param name="Compression">How the plaintext was stored before encryption.</param>
/// <param name="Offset">Byte offset of the blob's envelope from the start of the pack file.</param>
/// <param name="StoredLength">Length of the envelope (salt, ciphertext, tag).</param>
/// <param name="RawLength">Length of the blob's plaintext after decompression.</param>
/// <param name="Id">The blob ID: keyed hash of the raw plaintext.</param>
public readonly record struct PackEntry(
    BlobType Type, CompressionKind Compression, uint Offset, uint StoredLength, uint RawLength, ObjectId Id)
{
    /// <summary>Encoded size of one entry.</summary>
    public const int Size = 48;

    private const int TypeOffset = 0;
    private const int CompressionOffset = 1;
    private const int ReservedOffset = 2;
    private const int OffsetOffset = 4;
    private const int StoredLengthOffset = 8;
    private const int RawLengthOffset = 12;
    private const int IdOffset = 16;

    /// <summary>Writes the 48-byte little-endian encoding.</summary>
    public void Write(Span<byte> destination)
    {
        destination[TypeOffset] = (byte)Type;
        destination[CompressionOffset] = (byte)Compression;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[ReservedOffset..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[OffsetOffset..], Offset);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[StoredLengthOffset..], StoredLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[RawLengthOffset..], RawLength);
        Id.WriteTo(destination.Slice(IdOffset, ObjectId.Size));
    }

    /// <summary>Reads and validates one entry; <paramref name="objectName"/> names the container in errors.</summary>
    public static PackEntry Read(ReadOnlySpan<byte> source, string objectName)
    {
        if (source.Length < Size)
        {
            throw new RepositoryCorruptException(objectName, "blob entry is truncated");
        }

        var type = (BlobType)source[TypeOffset];
        if (type is not (BlobType.Data or BlobType.Tree))
        {
            throw new RepositoryCorruptException(objectName, $"unknown blob type {(byte)type}");
        }

        var compression = (CompressionKind)source[CompressionOffset];
        if (compression is not (CompressionKind.None or CompressionKind.Zstd))
        {
            throw new RepositoryCorruptException(objectName, $"unknown compression {(byte)compression}");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(source[ReservedOffset..]) != 0)
        {
            throw new RepositoryCorruptException(objectName, "reserved bytes of a blob entry are not zero");
        }

        return new PackEntry(
            type,
            compression,
            BinaryPrimitives.ReadUInt32LittleEndian(source[OffsetOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[StoredLengthOffset..]),
            BinaryPrimitives.ReadUInt32LittleEndian(source[RawLengthOffset..]),
            new ObjectId(source.Slice(IdOffset, ObjectId.Size)));
    }

    /// <summary>The associated data that binds a blob's envelope to its type and ID.</summary>
    public static void WriteAssociatedData(BlobType type, ObjectId id, Span<byte> destination)
    {
        destination[0] = (byte)type;
        id.WriteTo(destination.Slice(1, ObjectId.Size));
    }

    /// <summary>Length of <see cref="WriteAssociatedData"/>'s output.</summary>
    public const int AssociatedDataSize = 1 + ObjectId.Size;
}
