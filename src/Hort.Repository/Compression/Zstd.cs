using System.Collections.Concurrent;
using Hort.Repository.Native;

namespace Hort.Repository.Compression;

/// <summary>Zstandard compression through Debian's libzstd, with reusable contexts kept per core.</summary>
public static unsafe class Zstd
{
    // Compression contexts cost ~1 MiB or more each, so they are not kept per thread: a process that ran on many
    // thread-pool threads would hold one for each. Each core has a slot for the context last used on it, whose
    // tables are then still in that core's cache: with a shared stack alone, contexts went back and forth between the
    // cores, and a first backup of many small files took ~13% longer. The stack holds the few more in use at once.
    private static readonly ZstdCompressionContext?[] PerCore = new ZstdCompressionContext?[Environment.ProcessorCount];
    private static readonly ConcurrentStack<ZstdCompressionContext> FreeCompression = new();
    private static readonly int KeptCompressionContexts = Math.Max(2, Environment.ProcessorCount);

    // Decompression contexts are small; one per thread, freed by its SafeHandle's finalizer when the thread dies.

    [ThreadStatic]
    private static ZstdDecompressionContext? t_decompression;

    /// <summary>The largest output <see cref="Compress"/> can produce for <paramref name="length"/> input bytes.</summary>
    public static int CompressBound(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var bound = LibZstd.CompressBound((nuint)length);
        if (LibZstd.IsError(bound) != 0 || bound > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The input is too large to compress in one piece.");
        }

        return (int)bound;
    }

    /// <summary>
    /// Compresses <paramref name="source"/> into one zstd frame in <paramref name="destination"/> and returns its length.
    /// Throws <see cref="ArgumentException"/> when the frame does not fit (a destination of
    /// <see cref="CompressBound"/> bytes always suffices).
    /// </summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int level)
    {
        var result = CompressCore(source, destination, level);
        if (LibZstd.IsError(result) == 0)
        {
            return (int)result;
        }

        if (LibZstd.GetErrorCode(result) == LibZstd.ErrorDestinationTooSmall)
        {
            throw new ArgumentException("The destination is too small for the compressed data.", nameof(destination));
        }

        throw new InvalidOperationException("zstd compression failed: " + LibZstd.ErrorName(result));
    }

    /// <summary>
    /// Compresses like <see cref="Compress"/> but returns false instead of throwing when the result does not fit
    /// <paramref name="destination"/>; used to give up early on data that does not compress well enough.
    /// </summary>
    public static bool TryCompress(ReadOnlySpan<byte> source, Span<byte> destination, int level, out int written)
    {
        var result = CompressCore(source, destination, level);
        if (LibZstd.IsError(result) == 0)
        {
            written = (int)result;
            return true;
        }

        written = 0;
        if (LibZstd.GetErrorCode(result) == LibZstd.ErrorDestinationTooSmall)
        {
            return false;
        }

        throw new InvalidOperationException("zstd compression failed: " + LibZstd.ErrorName(result));
    }

    /// <summary>
    /// Decompresses <paramref name="source"/> (one or more frames) into <paramref name="destination"/> and returns
    /// the number of bytes written. Throws <see cref="InvalidDataException"/> for corrupt input or output that
    /// would not fit.
    /// </summary>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var result = DecompressCore(source, destination);
        if (LibZstd.IsError(result) != 0)
        {
            throw new InvalidDataException("zstd data is corrupt: " + LibZstd.ErrorName(result));
        }

        return (int)result;
    }

    /// <summary>
    /// Decompresses <paramref name="source"/> into <paramref name="destination"/>, which must be exactly the size of
    /// the original data (the index records it). False, without throwing, when the input is corrupt or its output
    /// is not exactly <c>destination.Length</c> bytes; libzstd never writes past the destination. Several
    /// concatenated frames decode as their concatenation.
    /// </summary>
    public static bool TryDecompress(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        if (source.IsEmpty)
        {
            return false;
        }

        var result = DecompressCore(source, destination);
        if (LibZstd.IsError(result) != 0 || result != (nuint)destination.Length)
        {
            return false;
        }

        written = (int)result;
        return true;
    }

    private static nuint CompressCore(ReadOnlySpan<byte> source, Span<byte> destination, int level)
    {
        var context = Interlocked.Exchange(ref PerCore[CurrentCore], null);
        if (context is null && !FreeCompression.TryPop(out context))
        {
            context = new ZstdCompressionContext();
        }

        try
        {
            byte none = 0;
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                // libzstd accepts no null pointer, even for zero lengths.
                return LibZstd.Compress(
                    context, dst == null ? &none : dst, (nuint)destination.Length, src == null ? &none : src, (nuint)source.Length, level);
            }
        }
        finally
        {
            // Back into the slot of the core this thread is on now, unless another context fills it.
            if (Interlocked.CompareExchange(ref PerCore[CurrentCore], context, null) is not null)
            {
                if (FreeCompression.Count < KeptCompressionContexts)
                {
                    FreeCompression.Push(context);
                }
                else
                {
                    context.Dispose();
                }
            }
        }
    }

    private static int CurrentCore => (int)((uint)Thread.GetCurrentProcessorId() % (uint)PerCore.Length);

    private static nuint DecompressCore(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var context = t_decompression ??= new ZstdDecompressionContext();
        byte none = 0;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            return LibZstd.Decompress(
                context, dst == null ? &none : dst, (nuint)destination.Length, src == null ? &none : src, (nuint)source.Length);
        }
    }
}
