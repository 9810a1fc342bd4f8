using System.Numerics;

namespace Hort.Repository.Chunking;

/// <summary>Chunk size limits of a repository, fixed when it is created (they decide deduplication).</summary>
/// <param name="MinSize">No chunk but a file's last is shorter; the chunker skips these bytes without hashing.</param>
/// <param name="AverageSize">The normalisation point, a power of two; chunks average a little above it.</param>
/// <param name="MaxSize">No chunk is longer; a boundary is forced here.</param>
public sealed record ChunkerParameters(int MinSize, int AverageSize, int MaxSize)
{
    /// <summary>Smallest accepted <see cref="MinSize"/>: the rolling hash needs a 64-byte window.</summary>
    public const int MinimumMinSize = 64;

    /// <summary>Largest accepted <see cref="MaxSize"/>: 64 MiB.</summary>
    public const int MaximumMaxSize = 64 * 1024 * 1024;

    /// <summary>512 KiB / 1 MiB / 8 MiB.</summary>
    public static ChunkerParameters Default { get; } = new(512 * 1024, 1024 * 1024, 8 * 1024 * 1024);

    /// <summary>log2 of <see cref="AverageSize"/>.</summary>
    public int AverageBits => BitOperations.Log2((uint)AverageSize);

    /// <summary>
    /// Throws <see cref="ArgumentException"/> unless MinSize ≥ 64, AverageSize is a power of two,
    /// MinSize &lt; AverageSize &lt; MaxSize and MaxSize ≤ 64 MiB.
    /// </summary>
    public void Validate()
    {
        if (MinSize < MinimumMinSize)
        {
            throw new ArgumentException($"the minimum chunk size {MinSize} is below {MinimumMinSize}");
        }

        if (AverageSize <= 0 || !BitOperations.IsPow2(AverageSize))
        {
            throw new ArgumentException($"the average chunk size {AverageSize} is not a power of two");
        }

        if (MinSize >= AverageSize || AverageSize >= MaxSize)
        {
            throw new ArgumentException(
                $"chunk sizes must grow strictly from minimum to average to maximum, got {MinSize} / {AverageSize} / {MaxSize}");
        }

        if (MaxSize > MaximumMaxSize)
        {
            throw new ArgumentException($"the maximum chunk size {MaxSize} is above {MaximumMaxSize}");
        }
    }
}
