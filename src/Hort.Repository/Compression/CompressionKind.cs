namespace Hort.Repository.Compression;

/// <summary>How a blob's plaintext was stored before encryption. The byte values are part of the repository format.</summary>
public enum CompressionKind : byte
{
    /// <summary>Stored as is.</summary>
    None = 0,

    /// <summary>Zstandard frames (RFC 8878) whose decoded output is exactly the raw length recorded in the index.</summary>
    Zstd = 1,
}
