using System.Buffers.Binary;
using Hort.Core;

namespace Hort.Repository.Tests.Format;

/// <summary>One damaged variant of a valid encoding and how it was made (for the failure message).</summary>
internal sealed record Mutant(string How, byte[] Bytes);

/// <summary>
/// A small deterministic fuzzer: from valid encodings it makes truncations and mutations (bit flips, interesting
/// integers over length fields, inserted, deleted and duplicated ranges) and checks that a decoder either decodes
/// the bytes or rejects them with the format's own exceptions — never with an index, overflow, argument or memory error.
/// </summary>
internal static class MalformedInput
{
    /// <summary>The fixed seed: a failure reproduces on every run.</summary>
    public const int Seed = 0x484f5254; // "HORT"

    private static readonly uint[] InterestingIntegers =
        [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x1_0000, 0x7fff_ffff, 0x8000_0000, 0xffff_fffe, 0xffff_ffff];

    /// <summary>Every prefix of <paramref name="valid"/> (sampled when it is long), from empty to one byte short.</summary>
    public static IEnumerable<Mutant> Truncations(byte[] valid, int maxCount = 400)
    {
        var step = Math.Max(1, valid.Length / maxCount);
        for (var length = 0; length < valid.Length; length += step)
        {
            yield return new Mutant($"truncated to {length} of {valid.Length} bytes", valid[..length]);
        }

        if (valid.Length > 0)
        {
            yield return new Mutant($"truncated to {valid.Length - 1} of {valid.Length} bytes", valid[..^1]);
        }
    }

    /// <summary><paramref name="count"/> random mutations, each applying one to three edits to a copy of a valid input.</summary>
    public static IEnumerable<Mutant> Mutations(IReadOnlyList<byte[]> valid, int count, int seed = Seed)
    {
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var source = valid[random.Next(valid.Count)];
            var bytes = source.ToArray();
            var how = new List<string>();
            var edits = 1 + random.Next(3);
            for (var e = 0; e < edits; e++)
            {
                bytes = Edit(bytes, random, how);
            }

            yield return new Mutant($"mutation {i} (seed {seed}): {string.Join("; ", how)}", bytes);
        }
    }

    /// <summary>
    /// Decodes <paramref name="mutant"/>; a successful decode must pass <paramref name="validate"/>, a failure must
    /// be one of <paramref name="allowed"/> (RepositoryCorruptException when none are given).
    /// </summary>
    public static void AssertDecodesOrRejects<T>(Mutant mutant, Func<byte[], T> decode, Action<T> validate, params Type[] allowed)
    {
        if (allowed.Length == 0)
        {
            allowed = [typeof(RepositoryCorruptException)];
        }

        T decoded;
        try
        {
            decoded = decode(mutant.Bytes);
        }
        catch (Exception e) when (allowed.Contains(e.GetType()))
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message), $"{mutant.How}: the error has no message");
            return;
        }
        catch (Exception e)
        {
            Assert.Fail($"{mutant.How}: decoding threw {e.GetType().Name} ({e.Message}) instead of {string.Join(" or ", allowed.Select(t => t.Name))}; input {Preview(mutant.Bytes)}\n{e}");
            return;
        }

        try
        {
            validate(decoded);
        }
        catch (Exception e)
        {
            Assert.Fail($"{mutant.How}: decoded to an invalid object: {e.Message}; input {Preview(mutant.Bytes)}");
        }
    }

    private static byte[] Edit(byte[] bytes, Random random, List<string> how)
    {
        var kind = bytes.Length == 0 ? 4 : random.Next(7);
        switch (kind)
        {
            case 0:
            {
                var bit = random.NextInt64((long)bytes.Length * 8);
                bytes[bit / 8] ^= (byte)(1 << (int)(bit % 8));
                how.Add($"flip bit {bit}");
                return bytes;
            }

            case 1:
            {
                var at = random.Next(bytes.Length);
                bytes[at] = (byte)random.Next(256);
                how.Add($"byte {at} = {bytes[at]:x2}");
                return bytes;
            }

            case 2 when bytes.Length >= 4:
            {
                var at = random.Next(bytes.Length - 3);
                var value = random.Next(4) == 0 ? (uint)bytes.Length + (uint)random.Next(-2, 3) : InterestingIntegers[random.Next(InterestingIntegers.Length)];
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
                how.Add($"uint32 at {at} = {value}");
                return bytes;
            }

            case 3 when bytes.Length >= 2:
            {
                var at = random.Next(bytes.Length - 1);
                var value = (ushort)InterestingIntegers[random.Next(InterestingIntegers.Length)];
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), value);
                how.Add($"uint16 at {at} = {value}");
                return bytes;
            }

            case 4:
            {
                var at = random.Next(bytes.Length + 1);
                var inserted = new byte[1 + random.Next(16)];
                random.NextBytes(inserted);
                how.Add($"insert {inserted.Length} bytes at {at}");
                return [.. bytes.AsSpan(0, at), .. inserted, .. bytes.AsSpan(at)];
            }

            case 5:
            {
                var at = random.Next(bytes.Length);
                var length = 1 + random.Next(Math.Min(32, bytes.Length - at));
                how.Add($"delete {length} bytes at {at}");
                return [.. bytes.AsSpan(0, at), .. bytes.AsSpan(at + length)];
            }

            default:
            {
                var at = random.Next(bytes.Length);
                var length = 1 + random.Next(Math.Min(64, bytes.Length - at));
                how.Add($"duplicate {length} bytes at {at}");
                return [.. bytes.AsSpan(0, at + length), .. bytes.AsSpan(at, length), .. bytes.AsSpan(at + length)];
            }
        }
    }

    private static string Preview(byte[] bytes) =>
        bytes.Length <= 256 ? Hex.Encode(bytes) : $"{Hex.Encode(bytes.AsSpan(0, 256))}… ({bytes.Length} bytes)";
}
