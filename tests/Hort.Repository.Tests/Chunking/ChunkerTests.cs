using System.Buffers.Binary;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Hort.Repository.Chunking;
using Hort.Repository.Crypto;

namespace Hort.Repository.Tests.Chunking;

public sealed class ChunkerTests
{
    internal static readonly ChunkerParameters Small = new(256, 1024, 8192);

    internal static readonly ulong[] Gear = VectorGear();

    private readonly Chunker _small = new(Small, Gear);

    // Chunk lengths from an independent Python implementation of the documented algorithm, over the
    // SHA-256 counter stream (see Stream) with the gear table of master key 00 01 … 1f.
    [Fact]
    public void Boundaries_match_the_format_test_vector()
    {
        int[] expected =
        [
            458, 1202, 1031, 1439, 1244, 1283, 1361, 789, 1142, 1249, 385, 1110, 1156, 1387, 1876, 1482, 1025, 1432,
            914, 1465, 1404, 1497, 974, 1231, 1320, 714, 1042, 1125, 1453, 1140, 1232, 1255, 1746, 1198, 1045, 1104,
            1041, 592, 1483, 1212, 1431, 1053, 2055, 1665, 324, 1733, 1089, 1401, 1058, 1030, 1281, 1891, 1258, 1029,
        ];

        var lengths = _small.Split(CounterStream(65536)).Select(c => c.Length).ToArray();

        Assert.Equal(expected, lengths);
    }

    [Fact]
    public void Boundaries_with_tiny_parameters_match_the_format_test_vector()
    {
        int[] expected = [149, 181, 128, 67, 220, 71, 136, 136, 239, 130, 153, 220, 147, 119, 144, 241, 159, 132, 136, 148, 142, 135, 130, 158, 155, 216, 104];
        var chunker = new Chunker(new ChunkerParameters(64, 128, 256), Gear);

        var lengths = chunker.Split(CounterStream(4096)).Select(c => c.Length).ToArray();

        Assert.Equal(expected, lengths);
    }

    [Fact]
    public void Chunks_cover_the_input_and_respect_the_size_limits()
    {
        var sizes = Gen.Choose(0, 100_000).ToArbitrary();
        var seeds = ArbMap.Default.ArbFor<int>();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(sizes, seeds, (size, seed) =>
        {
            var data = TestBytes.Random(size, seed);

            var chunks = _small.Split(data).ToList();

            var offset = 0;
            for (var i = 0; i < chunks.Count; i++)
            {
                Assert.Equal(offset, chunks[i].Offset);
                Assert.InRange(chunks[i].Length, i == chunks.Count - 1 ? 1 : Small.MinSize, Small.MaxSize);
                offset += chunks[i].Length;
            }

            Assert.Equal(size, offset);
        }));
    }

    [Fact]
    public void A_decision_on_partial_data_never_changes_with_more_data()
    {
        var sizes = Gen.Choose(0, 20_000).ToArbitrary();
        var seeds = ArbMap.Default.ArbFor<int>();
        var cuts = Gen.Choose(0, 20_000).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(sizes, seeds, cuts, (size, seed, cut) =>
        {
            var data = TestBytes.Random(size, seed);
            var prefix = data.AsSpan(0, Math.Min(cut, size));

            var partial = _small.FindBoundary(prefix, isFinal: false);
            var whole = _small.FindBoundary(data, isFinal: true);

            if (partial >= 0)
            {
                Assert.Equal(whole, partial);
            }
            else
            {
                Assert.True(prefix.Length < Small.MaxSize);
            }
        }));
    }

    [Fact]
    public void Short_and_empty_inputs()
    {
        var data = TestBytes.Random(Small.MinSize + 1, 1);

        Assert.Equal(0, _small.FindBoundary([], isFinal: true));
        Assert.Equal(-1, _small.FindBoundary([], isFinal: false));
        Assert.Equal(Small.MinSize, _small.FindBoundary(data.AsSpan(0, Small.MinSize), isFinal: true));
        Assert.Equal(-1, _small.FindBoundary(data.AsSpan(0, Small.MinSize), isFinal: false));
        Assert.Equal(5, _small.FindBoundary(data.AsSpan(0, 5), isFinal: true));
        Assert.Empty(_small.Split([]));
        Assert.Equal([(0, 100)], _small.Split(data[..100]));
    }

    [Fact]
    public void Data_without_boundaries_is_cut_at_the_maximum()
    {
        // With a gear table of zeros the hash is always 0, so the first byte after MinSize is a boundary;
        // with all ones in the high bits it never is.
        var never = new Chunker(Small, Enumerable.Repeat(1UL << 63, 256).ToArray());
        var always = new Chunker(Small, new ulong[256]);
        var data = TestBytes.Random(3 * Small.MaxSize + 5, 2);

        Assert.Equal([Small.MaxSize, Small.MaxSize, Small.MaxSize, 5], never.Split(data).Select(c => c.Length));
        Assert.Equal(-1, never.FindBoundary(data.AsSpan(0, Small.MaxSize - 1), isFinal: false));
        Assert.Equal(Small.MaxSize, never.FindBoundary(data, isFinal: false));
        Assert.Equal(Small.MinSize + 1, always.FindBoundary(data, isFinal: false));
    }

    [Fact]
    public void Identical_runs_are_cut_identically()
    {
        var zeros = new byte[100_000];

        var lengths = _small.Split(zeros).Select(c => c.Length).ToArray();

        Assert.True(lengths.Length > 2);
        Assert.All(lengths[..^1], l => Assert.Equal(lengths[0], l));
    }

    [Fact]
    public void Inserting_bytes_near_the_start_moves_only_the_first_boundaries()
    {
        var chunker = new Chunker(ChunkerParameters.Default, Gear);
        var original = TestBytes.Random(20 << 20, 3);
        var inserted = new byte[original.Length + 100];
        original.AsSpan(0, 1000).CopyTo(inserted);
        TestBytes.Random(100, 4).CopyTo(inserted, 1000);
        original.AsSpan(1000).CopyTo(inserted.AsSpan(1100));

        var before = Ends(chunker.Split(original));
        var after = Ends(chunker.Split(inserted)).Select(e => e - 100).ToHashSet();

        var later = before.Skip(2).ToList();
        var kept = later.Count(after.Contains);
        Assert.True(later.Count >= 10, $"only {later.Count} chunks");
        Assert.True(kept >= 0.8 * later.Count, $"{kept} of {later.Count} later boundaries kept");
    }

    [Fact]
    public void Another_chunker_key_gives_other_boundaries()
    {
        using var otherKey = MasterKey.Generate();
        var other = new Chunker(Small, GearTable.Derive(otherKey.ChunkerKey));
        var data = TestBytes.Random(1 << 20, 5);

        var mine = Ends(_small.Split(data)).ToHashSet();
        var theirs = Ends(other.Split(data)).ToList();

        var shared = theirs.Count(mine.Contains);
        Assert.True(shared < theirs.Count / 4, $"{shared} of {theirs.Count} boundaries shared");
    }

    [Fact]
    public void Average_chunk_size_is_near_the_configured_average()
    {
        var chunker = new Chunker(ChunkerParameters.Default, Gear);
        var data = TestBytes.Random(64 << 20, 6);

        var count = chunker.Split(data).Count();

        var average = (double)data.Length / count;
        Assert.InRange(average, 0.5 * ChunkerParameters.Default.AverageSize, 2.0 * ChunkerParameters.Default.AverageSize);
    }

    // The chunker hashes two bytes per step; the format's loop hashes one. Both must cut at the same byte, whichever
    // of a step's two bytes ends the chunk and wherever the input ends.
    [Fact]
    public void Boundaries_match_the_byte_by_byte_loop_of_the_format()
    {
        var parameters = new ChunkerParameters(64, 128, 256);
        var chunker = new Chunker(parameters, Gear);
        var data = TestBytes.Random(200_000, 11);
        for (var length = 0; length < 700; length++)
        {
            var input = data.AsSpan(length * 37 % 1000, length);
            Assert.Equal(ByteByByte(input, parameters), chunker.FindBoundary(input, isFinal: true));
        }

        var offset = 0;
        foreach (var (start, length) in chunker.Split(data))
        {
            Assert.Equal(offset, start);
            Assert.Equal(ByteByByte(data.AsSpan(start), parameters), length);
            offset += length;
        }
    }

    /// <summary>The length of the first chunk of the final input <paramref name="r"/>, exactly as section 5.3 of the format spells it.</summary>
    private static int ByteByByte(ReadOnlySpan<byte> r, ChunkerParameters p)
    {
        var n = r.Length;
        if (n <= p.MinSize) return n;
        var maskS = ~0UL << (64 - (p.AverageBits + 2));
        var maskL = ~0UL << (64 - (p.AverageBits - 2));
        ulong h = 0;
        for (var i = p.MinSize; i < Math.Min(n, p.MaxSize); i++)
        {
            h = (h << 1) + Gear[r[i]];
            if ((h & (i < p.AverageSize ? maskS : maskL)) == 0) return i + 1;
        }

        return Math.Min(n, p.MaxSize);
    }

    [Fact]
    public void A_gear_table_of_the_wrong_size_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Chunker(Small, new ulong[255]));
        Assert.Throws<ArgumentException>(() => new Chunker(new ChunkerParameters(256, 1000, 8192), Gear));
    }

    /// <summary>SHA-256(UInt32 LE 0) || SHA-256(UInt32 LE 1) || …, cut to <paramref name="length"/> bytes.</summary>
    internal static byte[] CounterStream(int length)
    {
        var data = new byte[(length + 31) / 32 * 32];
        Span<byte> counter = stackalloc byte[4];
        for (var i = 0; i * 32 < data.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(counter, (uint)i);
            SHA256.HashData(counter, data.AsSpan(i * 32, 32));
        }

        return data[..length];
    }

    private static List<long> Ends(IEnumerable<(int Offset, int Length)> chunks) => chunks.Select(c => (long)c.Offset + c.Length).ToList();

    private static ulong[] VectorGear()
    {
        using var key = new MasterKey(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        return GearTable.Derive(key.ChunkerKey);
    }
}
