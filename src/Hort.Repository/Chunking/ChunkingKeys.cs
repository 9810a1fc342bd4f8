using System.Security.Cryptography;
using Hort.Core;

namespace Hort.Repository.Chunking;

/// <summary>
/// Splits and names content exactly as a repository does, from its chunk-ID subkey, chunker subkey and chunker sizes
/// alone — what an agent holds instead of the master key (protocol.md §4). It cannot decrypt anything.
/// </summary>
public sealed class ChunkingKeys : IDisposable
{
    private readonly byte[] _chunkIdKey;
    private readonly ulong[] _gear;

    /// <summary>Copies both 32-byte subkeys; throws <see cref="ArgumentException"/> on wrong lengths or invalid sizes.</summary>
    public ChunkingKeys(ReadOnlySpan<byte> chunkIdKey32, ReadOnlySpan<byte> chunkerKey32, ChunkerParameters parameters)
    {
        if (chunkIdKey32.Length != 32)
        {
            throw new ArgumentException($"A chunk-ID key is 32 bytes, got {chunkIdKey32.Length}.", nameof(chunkIdKey32));
        }

        parameters.Validate();
        _chunkIdKey = chunkIdKey32.ToArray();
        _gear = GearTable.Derive(chunkerKey32);
        Parameters = parameters;
    }

    public ChunkerParameters Parameters { get; }

    /// <summary>A new chunker with the repository's gear table.</summary>
    public Chunker CreateChunker() => new(Parameters, _gear);

    /// <summary>HMAC-SHA256(chunkIdKey, plaintext), as <see cref="Crypto.MasterKey.ComputeChunkId"/>. Thread-safe.</summary>
    public ObjectId ComputeId(ReadOnlySpan<byte> plaintext)
    {
        Span<byte> hash = stackalloc byte[ObjectId.Size];
        HMACSHA256.HashData(_chunkIdKey, plaintext, hash);
        return new ObjectId(hash);
    }

    /// <summary>Zeroes the keys.</summary>
    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_chunkIdKey);
        Array.Clear(_gear);
    }
}
