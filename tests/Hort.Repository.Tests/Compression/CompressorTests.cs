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
