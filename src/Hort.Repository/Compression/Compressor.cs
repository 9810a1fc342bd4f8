namespace Hort.Repository.Compression;

/// <summary>Decides per blob whether compression is worth keeping.</summary>
public static class Compressor
{
    /// <summary>The zstd level used unless configured otherwise.</summary>
    public const int DefaultLevel = 3;

    /// <summary>
    /// True when <paramref name="compressedLength"/> bytes save at least 1/64 of <paramref name="rawLength"/>: the rule
    /// by which <see cref="CompressOrStore"/> keeps zstd output, for compressed forms made elsewhere (an agent's).
    /// </summary>
    public static bool IsWorthKeeping(int rawLength, int compressedLength) => compressedLength < rawLength - rawLength / 64;

    /// <summary>
    /// Compresses <paramref name="raw"/> into <paramref name="destination"/> and returns <see cref="CompressionKind.Zstd"/>
    /// when that saves at least 1/64 of its size (strictly smaller than <c>raw.Length - raw.Length / 64</c>);
    /// otherwise copies <paramref name="raw"/> unchanged and returns <see cref="CompressionKind.None"/>, so that
    /// restoring already-compressed data does not pay for a useless decompression.
    /// <paramref name="destination"/> must hold at least <c>raw.Length</c> bytes.
    /// </summary>
    public static CompressionKind CompressOrStore(ReadOnlySpan<byte> raw, Span<byte> destination, int level, out int written)
    {
        if (destination.Length < raw.Length)
        {
            throw new ArgumentException("The destination must hold at least the raw length.", nameof(destination));
        }

        if (TryCompress(raw, destination, level, out written))
        {
            return CompressionKind.Zstd;
        }

        raw.CopyTo(destination);
        written = raw.Length;
        return CompressionKind.None;
    }

    /// <summary>
    /// Compresses <paramref name="raw"/> into <paramref name="destination"/> when that saves at least 1/64 of its size
    /// (the rule of <see cref="CompressOrStore"/>); false, and nothing useful written, when it does not.
    /// </summary>
    public static bool TryCompress(ReadOnlySpan<byte> raw, Span<byte> destination, int level, out int written)
    {
        // Capping the output at the largest size worth keeping lets zstd stop as soon as it overshoots,
        // instead of compressing incompressible data to the end.
        var worthKeeping = Math.Min(raw.Length - raw.Length / 64 - 1, destination.Length);
        if (worthKeeping > 0 && Zstd.TryCompress(raw, destination[..worthKeeping], level, out written))
        {
            return true;
        }

        written = 0;
        return false;
    }
}
