using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Hort.Repository.Chunking;

/// <summary>The chunker's secret table of 256 random 64-bit values, one per byte value.</summary>
public static class GearTable
{
    /// <summary>Entries in a table.</summary>
    public const int Length = 256;

    /// <summary>
    /// <c>gear[i]</c> = the first 8 bytes, read as little-endian UInt64, of HMAC-SHA256(<paramref name="chunkerKey32"/>, the single byte i).
    /// Keying the table hides from the store where boundaries would fall for known content.
    /// </summary>
    public static ulong[] Derive(ReadOnlySpan<byte> chunkerKey32)
    {
        if (chunkerKey32.Length != 32)
        {
            throw new ArgumentException($"A chunker key is 32 bytes, got {chunkerKey32.Length}.", nameof(chunkerKey32));
        }

        var gear = new ulong[Length];
        Span<byte> input = stackalloc byte[1];
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        for (var i = 0; i < Length; i++)
        {
            input[0] = (byte)i;
            HMACSHA256.HashData(chunkerKey32, input, hash);
            gear[i] = BinaryPrimitives.ReadUInt64LittleEndian(hash);
        }

        return gear;
    }
}
