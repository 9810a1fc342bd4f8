using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Hort.Repository.Compression;
using Hort.Repository.Tests.Chunking;

namespace Hort.Repository.Tests.Compression;

public sealed class CompressorTests
{
    [Fact]
    public void Random_data_is_stored_raw()
    {
        var raw = TestBytes.FromAlphabet(100_000, 3, 256);
        var destination = new byte[raw.Length];

        var kind = Compressor.CompressOrStore(raw, destination, Compressor.DefaultLevel, out var written);

        Assert.Equal(CompressionKind.None, kind);
        Assert.Equal(raw.Length, written);
        Assert.Equal(raw, destination);
    }

    [Fact]
    public void Text_is_compressed()
    {
        var raw = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => $"line {i}: the quick brown fox\n")));
        var destination = new byte[raw.Length];

        var kind = Compressor.CompressOrStore(raw, destination, Compressor.DefaultLevel, out var written);

        Assert.Equal(CompressionKind.Zstd, kind);
        Assert.True(written < raw.Length / 4, $"{written} of {raw.Length} bytes");
        var back = new byte[raw.Length];
        Assert.True(Zstd.TryDecompress(destination.AsSpan(0, written), back, out _));
        Assert.Equal(raw, back);
    }

    [Fact]
    public void Compression_is_kept_only_when_it_saves_a_64th()
    {
        var sizes = Gen.Choose(0, 200_000).ToArbitrary();
        var seeds = ArbMap.Default.ArbFor<int>();
        var alphabets = Gen.Elements(1, 2, 100, 200, 240, 250, 256).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(80), Prop.ForAll(sizes, seeds, alphabets, (size, seed, alphabet) =>
        {
            var raw = TestBytes.FromAlphabet(size, seed, alphabet);
            var destination = new byte[size];

            var kind = Compressor.CompressOrStore(raw, destination, Compressor.DefaultLevel, out var written);

            var back = new byte[size];
            if (kind == CompressionKind.Zstd)
            {
                Assert.True(written < size - size / 64);
                Assert.True(Zstd.TryDecompress(destination.AsSpan(0, written), back, out _));
            }
            else
            {
                Assert.Equal(CompressionKind.None, kind);
                Assert.Equal(size, written);
                destination.CopyTo(back, 0);
                var full = new byte[Zstd.CompressBound(size)];
                Assert.True(Zstd.Compress(raw, full, Compressor.DefaultLevel) >= size - size / 64);
            }

            Assert.Equal(raw, back);
        }));
    }

    [Fact]
    public void Large_random_data_is_judged_by_samples_and_stored_raw()
    {
        var raw = TestBytes.FromAlphabet(1 << 20, 5, 256);
        var destination = new byte[raw.Length];

        Assert.True(Compressor.LooksIncompressible(raw));
        Assert.Equal(CompressionKind.None, Compressor.CompressOrStore(raw, destination, Compressor.DefaultLevel, out var written));
        Assert.Equal(raw.Length, written);
        Assert.Equal(raw, destination);
    }

    [Fact]
    public void Large_text_is_not_judged_incompressible()
    {
        var raw = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 40_000).Select(i => $"line {i}: the quick brown fox\n")));
        Assert.True(raw.Length >= Compressor.SampledFrom);

        Assert.False(Compressor.LooksIncompressible(raw));
    }

    [Fact]
    public void A_compressible_stretch_of_a_seventh_and_a_sample_makes_random_data_tried()
    {
        // 1 MiB of random bytes with a stretch of text a seventh of it plus 4 KiB long, wherever it lies: one sample
        // always lies wholly inside, so zstd is tried and keeps its result.
        var raw = TestBytes.FromAlphabet(1 << 20, 6, 256);
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 10_000).Select(i => $"entry {i} of the ledger\n")));
        var stretch = raw.Length / 7 + 4096;
        for (var start = 0; start + stretch <= raw.Length; start += 37_000)
        {
            var copy = (byte[])raw.Clone();
            text.AsSpan(0, stretch).CopyTo(copy.AsSpan(start));

            Assert.False(Compressor.LooksIncompressible(copy), $"text at {start}");
            Assert.Equal(CompressionKind.Zstd, Compressor.CompressOrStore(copy, new byte[copy.Length], Compressor.DefaultLevel, out _));
        }
    }

    [Fact]
    public void Inputs_below_the_sampling_size_are_always_tried()
    {
        Assert.False(Compressor.LooksIncompressible(TestBytes.FromAlphabet(Compressor.SampledFrom - 1, 7, 256)));
    }

    [Fact]
    public void Empty_input_is_stored()
    {
        var kind = Compressor.CompressOrStore([], [], 3, out var written);

        Assert.Equal(CompressionKind.None, kind);
        Assert.Equal(0, written);
    }

    [Fact]
    public void The_destination_must_hold_the_raw_length()
    {
        Assert.Throws<ArgumentException>(() => Compressor.CompressOrStore(new byte[10], new byte[9], 3, out _));
    }

    [Fact]
    public void Kind_values_are_those_of_the_format()
    {
        Assert.Equal(0, (byte)CompressionKind.None);
        Assert.Equal(1, (byte)CompressionKind.Zstd);
    }
}
