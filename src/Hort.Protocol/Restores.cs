using System.Buffers.Binary;
using Hort.Core;

namespace Hort.Protocol;

/// <summary>
/// POST /api/v1/agent/blobs/sizes and /api/v1/agent/blobs/read: blobs of this PC by ID (hex), all of one
/// <see cref="Type"/> (<see cref="SessionValues.Data"/>, the default, or <see cref="SessionValues.Tree"/>).
/// </summary>
public sealed record BlobBatchRequest(IReadOnlyList<string> Ids, string? Type = null)
{
    public const int MaxIds = 10_000;
}

/// <summary>
/// The plaintext length of each requested blob, in request order; null for an ID this PC may not read as a blob of the
/// requested type (not in its known set, not stored, or stored as the other type).
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
/// The header in front of every blob in the answer to POST /api/v1/agent/blobs/read: the blob's 32-byte ID, one
/// <see cref="BlobFrameForm"/> byte, the plaintext's length and the body's length, each a little-endian uint32 (the
/// plaintext length is 0 for <see cref="BlobFrameForm.Unreadable"/>); the body follows.
/// </summary>
public readonly record struct BlobFrameHeader(ObjectId Id, BlobFrameForm Form, int PlaintextLength, int Length)
{
    public const int Size = ObjectId.Size + 1 + 4 + 4;

    private const int PlaintextAt = ObjectId.Size + 1;
    private const int LengthAt = PlaintextAt + 4;

    /// <summary>The media type of the answer.</summary>
    public const string MediaType = "application/vnd.hort.blob-frames";

    public void Write(Span<byte> destination)
    {
        Id.WriteTo(destination);
        destination[ObjectId.Size] = (byte)Form;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[PlaintextAt..LengthAt], (uint)PlaintextLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[LengthAt..Size], (uint)Length);
    }

    /// <summary>Reads a header; false for an unknown form or a length (either) above <paramref name="maxLength"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> source, int maxLength, out BlobFrameHeader header)
    {
        var form = (BlobFrameForm)source[ObjectId.Size];
        var plaintext = BinaryPrimitives.ReadUInt32LittleEndian(source[PlaintextAt..LengthAt]);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(source[LengthAt..Size]);
        var valid = form is BlobFrameForm.Plain or BlobFrameForm.Zstd or BlobFrameForm.Unreadable
            && plaintext <= (uint)maxLength && length <= (uint)maxLength;
        header = valid ? new BlobFrameHeader(new ObjectId(source[..ObjectId.Size]), form, (int)plaintext, (int)length) : default;
        return valid;
    }
}
