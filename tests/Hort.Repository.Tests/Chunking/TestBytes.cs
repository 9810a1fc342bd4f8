using System.Runtime.InteropServices;

namespace Hort.Repository.Tests.Chunking;

/// <summary>Reproducible pseudo-random test data (SplitMix64), fast enough for tens of MiB per test.</summary>
internal static class TestBytes
{
    /// <summary><paramref name="size"/> uniformly random bytes determined by <paramref name="seed"/>.</summary>
    public static byte[] Random(int size, int seed)
    {
        var bytes = new byte[size];
        var state = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + 1;
        var words = MemoryMarshal.Cast<byte, ulong>(bytes.AsSpan());
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = Next(ref state);
        }

        for (var i = words.Length * 8; i < size; i++)
        {
            bytes[i] = (byte)Next(ref state);
        }

        return bytes;
    }

    /// <summary>Bytes drawn from the first <paramref name="alphabet"/> byte values: 256 is incompressible, 2 very compressible.</summary>
    public static byte[] FromAlphabet(int size, int seed, int alphabet)
    {
        var bytes = Random(size, seed);
        if (alphabet < 256)
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)(bytes[i] * alphabet >> 8);
            }
        }

        return bytes;
    }

    private static ulong Next(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
