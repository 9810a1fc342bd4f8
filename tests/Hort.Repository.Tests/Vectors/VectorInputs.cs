using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Hort.Repository.Tests.Vectors;

/// <summary>The inputs the format's test vectors are computed from (docs/design/repository-format.md, section 14).</summary>
internal static class VectorInputs
{
    /// <summary>The vector master key: the bytes 00 01 02 … 1f.</summary>
    public static byte[] MasterKey => Sequence(0x00, 32);

    /// <summary>The password of both fixture repositories.</summary>
    public const string Password = "hort-test-vector";

    /// <summary>
    /// The vector stream: block i (32 bytes) is SHA-256(ASCII "hort test vector" || uint32 LE i), for i = 0, 1, 2, …;
    /// the first <paramref name="randomLength"/> bytes (a multiple of 32) followed by <paramref name="zeroLength"/> zero bytes.
    /// </summary>
    public static byte[] Stream(int randomLength, int zeroLength)
    {
        if (randomLength % 32 != 0)
        {
            throw new ArgumentException("The stream is made of whole 32-byte blocks.", nameof(randomLength));
        }

        var data = new byte[randomLength + zeroLength];
        Span<byte> block = stackalloc byte[20];
        "hort test vector"u8.CopyTo(block);
        for (var i = 0; i < randomLength / 32; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(block[16..], (uint)i);
            SHA256.HashData(block, data.AsSpan(i * 32, 32));
        }

        return data;
    }

    /// <summary><paramref name="count"/> consecutive byte values starting at <paramref name="first"/> (wrapping at 256).</summary>
    public static byte[] Sequence(int first, int count)
    {
        var bytes = new byte[count];
        for (var i = 0; i < count; i++)
        {
            bytes[i] = (byte)(first + i);
        }

        return bytes;
    }

    /// <summary>The root of the source tree (the folder holding Hort.slnx), found from the test's output folder.</summary>
    public static string SourceRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Hort.slnx")))
                {
                    return dir.FullName;
                }
            }

            throw new DirectoryNotFoundException($"no Hort.slnx above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>A folder under tests/testdata.</summary>
    public static string TestData(string name) => Path.Combine(SourceRoot, "tests", "testdata", name);
}
