namespace Hort.Repository.Compression;

/// <summary>
/// How hard a writer compresses the blobs it stores. Every mode writes the same format: a blob is either zstd frames or
/// stored as it is (<see cref="CompressionKind"/>), and a reader does not need to know which mode wrote it.
/// </summary>
public enum CompressionMode
{
    /// <summary>zstd level 3 (<see cref="Compressor.DefaultLevel"/>); incompressible blobs are stored as they are.</summary>
    Auto = 0,

    /// <summary>zstd level 1: faster on compressible data, a few percent larger.</summary>
    Fast,

    /// <summary>zstd level 19: the smallest repository, many times slower; for a small disk or a slow link.</summary>
    Max,

    /// <summary>No compression: every blob is stored as it is.</summary>
    Off,
}
