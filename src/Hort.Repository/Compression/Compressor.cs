namespace Hort.Repository.Compression;

/// <summary>Decides per blob whether compression is worth keeping.</summary>
public static class Compressor
{
    /// <summary>The zstd level used unless configured otherwise.</summary>
    public const int DefaultLevel = 3;

    /// <summary>The zstd level of <paramref name="mode"/>, or null for <see cref="CompressionMode.Off"/>.</summary>
    public static int? LevelOf(CompressionMode mode) => mode switch
    {
        CompressionMode.Auto => DefaultLevel,
        CompressionMode.Fast => 1,
        CompressionMode.Max => 19,
        CompressionMode.Off => null,
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown compression mode."),
    };

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

    /// <summary>Inputs from this size on are first judged by samples (<see cref="LooksIncompressible"/>).</summary>
    public const int SampledFrom = 256 * 1024;

    private const int SampleCount = 8;
    private const int SampleLength = 4096;
    private const int SampleLevel = 1;

    /// <summary>
    /// True when <paramref name="raw"/> is at least <see cref="SampledFrom"/> bytes and eight 4 KiB samples spread
    /// evenly over it, each compressed on its own at zstd level 1, save less than 1/64 of their size together. Such an
    /// input (already-compressed media, archives, encrypted files) is then stored without trying zstd over all of it,
    /// which would cost as much time as compressing text and save nothing. A compressible stretch of 1/7 of the input
    /// plus 4 KiB always holds a whole sample, and one compressible sample is enough to have the whole input tried.
    /// </summary>
    public static bool LooksIncompressible(ReadOnlySpan<byte> raw)
    {
        if (raw.Length < SampledFrom)
        {
            return false;
        }

        Span<byte> scratch = stackalloc byte[SampleLength];
        var stride = (raw.Length - SampleLength) / (SampleCount - 1);
        var saved = 0;
        for (var i = 0; i < SampleCount; i++)
        {
            // A sample that does not fit in one byte less than its length saves nothing.
            if (Zstd.TryCompress(raw.Slice(i * stride, SampleLength), scratch[..(SampleLength - 1)], SampleLevel, out var written))
            {
                saved += SampleLength - written;
            }
        }

        return saved < SampleCount * SampleLength / 64;
    }

    /// <summary>
    /// Compresses <paramref name="raw"/> into <paramref name="destination"/> when that saves at least 1/64 of its size
    /// (the rule of <see cref="CompressOrStore"/>); false, and nothing useful written, when it does not or when
    /// <see cref="LooksIncompressible"/> says it would not.
    /// </summary>
    public static bool TryCompress(ReadOnlySpan<byte> raw, Span<byte> destination, int level, out int written)
    {
        if (LooksIncompressible(raw))
        {
            written = 0;
            return false;
        }

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
