using System.Buffers.Binary;
using Hort.Core;

namespace Hort.Protocol;

/// <summary>POST /api/v1/agent/blobs/sizes and /api/v1/agent/blobs/read: data chunks of this PC, by ID (hex).</summary>
public sealed record BlobBatchRequest(IReadOnlyList<string> Ids)
{
    public const int MaxIds = 10_000;
}

/// <summary>
/// The plaintext length of each requested chunk, in request order; null for an ID this PC may not read as a data chunk
/// (not in its known set, not stored, or stored as a tree).
/// </summary>
public sealed record BlobSizesResponse(IReadOnlyList<long?> Sizes);

/// <summary>How a chunk travels in a frame of the answer to POST /api/v1/agent/blobs/read (protocol.md §8).</summary>
public enum BlobFrameForm : byte
{
    /// <summary>The plaintext, checked against its ID by the server.</summary>
    Plain = 0,

    /// <summary>The stored zstd frame, decrypted but not decompressed; the reader decompresses and checks it.</summary>
    Zstd = 1,

    /// <summary>Not sent: the body is a UTF-8 message saying why (not this PC's, not stored, or damaged on the server).</summary>
    Unreadable = 2,
}

/// <summary>
/// The header in front of every chunk in the answer to POST /api/v1/agent/blobs/read: the chunk's 32-byte ID, one
/// <see cref="BlobFrameForm"/> byte and the body's length as a little-endian uint32; the body follows.
/// </summary>
public readonly record struct BlobFrameHeader(ObjectId Id, BlobFrameForm Form, int Length)
{
    public const int Size = ObjectId.Size + 1 + 4;

    /// <summary>The media type of the answer.</summary>
    public const string MediaType = "application/vnd.hort.blob-frames";

    public void Write(Span<byte> destination)
    {
        Id.WriteTo(destination);
        destination[ObjectId.Size] = (byte)Form;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(ObjectId.Size + 1)..Size], (uint)Length);
    }

    /// <summary>Reads a header; false for an unknown form or a length above <paramref name="maxLength"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, int maxLength, out BlobFrameHeader header)
    {
        var form = (BlobFrameForm)source[ObjectId.Size];
        var length = BinaryPrimitives.ReadUInt32LittleEndian(source[(ObjectId.Size + 1)..Size]);
        header = new BlobFrameHeader(new ObjectId(source[..ObjectId.Size]), form, (int)Math.Min(length, int.MaxValue));
        return form is BlobFrameForm.Plain or BlobFrameForm.Zstd or BlobFrameForm.Unreadable && length <= (uint)maxLength;
    }
}
