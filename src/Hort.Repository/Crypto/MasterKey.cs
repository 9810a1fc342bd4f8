using System.Security.Cryptography;
using Hort.Core;

namespace Hort.Repository.Crypto;

/// <summary>A repository's 32-byte master key and the subkeys derived from it for each purpose.</summary>
/// <remarks>
/// Each subkey is HMAC-SHA256(master, ASCII label) with the labels "hort/v1/encryption", "hort/v1/chunk-id"
/// and "hort/v1/chunker", so no two uses ever share a key. Disposing zeroes every key byte.
/// </remarks>
public sealed class MasterKey : IDisposable
{
    /// <summary>Length of the master key and of each subkey in bytes.</summary>
    public const int Size = 32;

    private readonly byte[] _master;
    private readonly byte[] _encryption;
    private readonly byte[] _chunkId;
    private readonly byte[] _chunker;
    private bool _disposed;

    /// <summary>Wraps an existing master key (the bytes are copied).</summary>
    public MasterKey(ReadOnlySpan<byte> bytes32)
    {
        if (bytes32.Length != Size)
        {
            throw new ArgumentException($"A master key is {Size} bytes, got {bytes32.Length}.", nameof(bytes32));
        }

        _master = bytes32.ToArray();
        _encryption = HMACSHA256.HashData(_master, "hort/v1/encryption"u8);
        _chunkId = HMACSHA256.HashData(_master, "hort/v1/chunk-id"u8);
        _chunker = HMACSHA256.HashData(_master, "hort/v1/chunker"u8);
    }

    /// <summary>A new master key from the system's cryptographic random number generator.</summary>
    public static MasterKey Generate()
    {
        Span<byte> bytes = stackalloc byte[Size];
        RandomNumberGenerator.Fill(bytes);
        try
        {
            return new MasterKey(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The master key itself (only key files store it, wrapped).</summary>
    public ReadOnlySpan<byte> Bytes => Live(_master);

    /// <summary>Key for <see cref="ObjectCipher"/>: every stored object is encrypted under keys derived from it.</summary>
    public ReadOnlySpan<byte> EncryptionKey => Live(_encryption);

    /// <summary>Key for chunk IDs, so the store cannot confirm guesses about the plaintext.</summary>
    public ReadOnlySpan<byte> ChunkIdKey => Live(_chunkId);

    /// <summary>Key for the chunker's gear table, so chunk boundaries reveal nothing about file contents.</summary>
    public ReadOnlySpan<byte> ChunkerKey => Live(_chunker);

    /// <summary>The ID of a chunk: HMAC-SHA256(<see cref="ChunkIdKey"/>, plaintext). Thread-safe.</summary>
    public ObjectId ComputeChunkId(ReadOnlySpan<byte> plaintext)
    {
        Span<byte> hash = stackalloc byte[ObjectId.Size];
        HMACSHA256.HashData(Live(_chunkId), plaintext, hash);
        return new ObjectId(hash);
    }

    /// <summary>Zeroes the master key and its subkeys; the object cannot be used afterwards.</summary>
    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_master);
        CryptographicOperations.ZeroMemory(_encryption);
        CryptographicOperations.ZeroMemory(_chunkId);
        CryptographicOperations.ZeroMemory(_chunker);
    }

    private ReadOnlySpan<byte> Live(byte[] key)
    {
        // A zeroed key would silently produce wrong IDs and undecryptable objects.
        ObjectDisposedException.ThrowIf(_disposed, this);
        return key;
    }
}
