using System.Security.Cryptography;
using System.Text;
using Hort.Core;
using Hort.Repository.Crypto;

namespace Hort.Benchmarks;

/// <summary>Deterministic inputs: random bytes (incompressible) and source-like text (compressible), and a fixed key.</summary>
internal static class TestData
{
    public static MasterKey Key { get; } = new(Enumerable.Range(0, MasterKey.Size).Select(i => (byte)(i * 7 + 1)).ToArray());

    public static byte[] Random(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] SourceText(int length, int seed = 2)
    {
        var rng = new Random(seed);
        string[] words = ["var", "return", "if", "else", "for", "int", "string", "public", "static", "void", "count", "buffer",
            "length", "index", "value", "result", "await", "async", "Task", "new", "List", "offset", "span", "ReadOnlySpan<byte>"];
        var text = new StringBuilder(length + 128);
        while (text.Length < length)
        {
            text.Append(' ', rng.Next(0, 4) * 4);
            for (var w = rng.Next(2, 9); w > 0; w--)
            {
                text.Append(words[rng.Next(words.Length)]).Append(rng.Next(4) == 0 ? "(" : " ");
            }

            text.Append(rng.Next(3) == 0 ? ");\n" : "\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString(0, length));
    }

    /// <summary>A pseudo-random ID (as chunk IDs are: keyed hashes).</summary>
    public static ObjectId Id(long n)
    {
        Span<byte> seed = stackalloc byte[8];
        BitConverter.TryWriteBytes(seed, n);
        Span<byte> hash = stackalloc byte[ObjectId.Size];
        SHA256.HashData(seed, hash);
        return new ObjectId(hash);
    }
}
