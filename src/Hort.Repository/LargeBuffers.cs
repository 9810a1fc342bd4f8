using System.Buffers;
using System.Collections.Concurrent;

namespace Hort.Repository;

/// <summary>
/// The pool for the buffers of the write path: chunk reading, sealing and packs.
/// </summary>
/// <remarks>
/// <see cref="ArrayPool{T}.Shared"/> keeps a buffer of each size per thread, and rounds sizes up to a power of two.
/// With async code hopping between thread-pool threads, every thread that ever returned a 16 MiB buffer would keep
/// one, and an 8 MiB chunk plus its 40-byte envelope would take a 16 MiB buffer. Here buffers of 1 MiB and more are
/// kept per size, rounded up to whole MiB only, in shared stacks with no per-thread copies: a buffer is created only
/// when none of its size is free, so the pool holds at most as many of a size as were in use at the same time (and
/// never more than <see cref="BuffersPerSize"/>). The write path asks for a few fixed sizes (the largest chunk, its
/// envelope, the pack size), so few sizes occur. Smaller buffers come from <see cref="ArrayPool{T}.Shared"/>.
/// </remarks>
public static class LargeBuffers
{
    /// <summary>Free buffers kept per size.</summary>
    public const int BuffersPerSize = 8;

    private const int Granularity = 1 << 20;

    private static readonly ConcurrentDictionary<int, ConcurrentStack<byte[]>> Free = new();

    /// <summary>A buffer of at least <paramref name="minimumLength"/> bytes, not cleared.</summary>
    public static byte[] Rent(int minimumLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumLength);
        if (minimumLength < Granularity)
        {
            return ArrayPool<byte>.Shared.Rent(minimumLength);
        }

        var size = (int)Math.Min(Array.MaxLength, ((long)minimumLength + Granularity - 1) / Granularity * Granularity);
        return Free.TryGetValue(size, out var stack) && stack.TryPop(out var buffer)
            ? buffer
            : GC.AllocateUninitializedArray<byte>(size);
    }

    /// <summary>Gives back a buffer from <see cref="Rent"/>.</summary>
    public static void Return(byte[] buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (buffer.Length < Granularity)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return;
        }

        var stack = Free.GetOrAdd(buffer.Length, static _ => new ConcurrentStack<byte[]>());
        if (stack.Count < BuffersPerSize)
        {
            stack.Push(buffer);
        }
    }
}
