using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Hort.Repository.Compression;
using Hort.Repository.Tests.Chunking;

namespace Hort.Repository.Tests.Compression;

public sealed class ZstdTests
{
    private const string Text = "hort keeps your data; hort keeps your data; hort keeps your data.";

    // Made by the zstd command line tool: printf '%s' "$Text" | zstd -3 -c (it adds a content checksum).
    private const string FrameFromCli = "28b52ffd0458ed0000b8686f7274206b6565707320796f757220646174613b202e010026349bf1d98dac";

    [Fact]
    public void Reads_a_frame_written_by_the_zstd_tool()
    {
        var destination = new byte[Text.Length];

        Assert.True(Zstd.TryDecompress(Convert.FromHexString(FrameFromCli), destination, out var written));

        Assert.Equal(Text.Length, written);
        Assert.Equal(Text, Encoding.ASCII.GetString(destination));
    }

    [Fact]
    public void Round_trips_random_and_compressible_data()
    {
        var sizes = Gen.Choose(0, 300_000).ToArbitrary();
        var seeds = ArbMap.Default.ArbFor<int>();
        var alphabets = Gen.Elements(2, 16, 256).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), Prop.ForAll(sizes, seeds, alphabets, (size, seed, alphabet) =>
        {
            var raw = TestBytes.FromAlphabet(size, seed, alphabet);
            var compressed = new byte[Zstd.CompressBound(size)];

            var length = Zstd.Compress(raw, compressed, Compressor.DefaultLevel);
            var exact = new byte[size];
            var ok = Zstd.TryDecompress(compressed.AsSpan(0, length), exact, out var written);
            var roomy = new byte[size + 10];
            var thrown = Zstd.Decompress(compressed.AsSpan(0, length), roomy);

            Assert.True(ok);
            Assert.Equal(size, written);
            Assert.Equal(raw, exact);
            Assert.Equal(size, thrown);
            Assert.Equal(raw, roomy[..size]);
        }));
    }

    [Fact]
    public void Compression_shrinks_repetitive_data()
    {
        var raw = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(Text, 1000)));
        var compressed = new byte[Zstd.CompressBound(raw.Length)];

        var length = Zstd.Compress(raw, compressed, 3);

        Assert.True(length < raw.Length / 20, $"{length} bytes");
    }

    [Fact]
    public void Garbage_and_truncated_frames_are_rejected_without_throwing()
    {
        var raw = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(Text, 100)));
        var compressed = new byte[Zstd.CompressBound(raw.Length)];
        var frame = compressed.AsSpan(0, Zstd.Compress(raw, compressed, 3)).ToArray();
        var destination = new byte[raw.Length];

        Assert.False(Zstd.TryDecompress([], destination, out _));
        Assert.False(Zstd.TryDecompress(Encoding.ASCII.GetBytes(Text), destination, out _));
        for (var length = 0; length < frame.Length; length++)
        {
            Assert.False(Zstd.TryDecompress(frame.AsSpan(0, length), destination, out var written), $"truncated to {length}");
            Assert.Equal(0, written);
        }

        var garbage = new byte[1000];
        var random = new Random(11);
        for (var i = 0; i < 200; i++)
        {
            random.NextBytes(garbage);
            Assert.False(Zstd.TryDecompress(garbage, destination, out _));
        }

        Assert.Throws<InvalidDataException>(() => Zstd.Decompress(frame.AsSpan(0, frame.Length - 1), destination));
    }

    [Fact]
    public void Output_of_another_length_than_the_destination_is_rejected()
    {
        var raw = Encoding.ASCII.GetBytes(Text);
        var compressed = new byte[Zstd.CompressBound(raw.Length)];
        var frame = compressed.AsSpan(0, Zstd.Compress(raw, compressed, 3)).ToArray();

        Assert.False(Zstd.TryDecompress(frame, new byte[raw.Length - 1], out _));
        Assert.False(Zstd.TryDecompress(frame, new byte[raw.Length + 1], out _));
        Assert.True(Zstd.TryDecompress(frame, new byte[raw.Length], out _));
    }

    [Fact]
    public void Concatenated_frames_decode_as_their_concatenation()
    {
        var first = Encoding.ASCII.GetBytes(Text);
        var second = TestBytes.Random(1000, 8);
        var buffer = new byte[Zstd.CompressBound(first.Length) + Zstd.CompressBound(second.Length)];
        var length = Zstd.Compress(first, buffer, 3);
        length += Zstd.Compress(second, buffer.AsSpan(length), 3);
        var destination = new byte[first.Length + second.Length];

        Assert.True(Zstd.TryDecompress(buffer.AsSpan(0, length), destination, out var written));

        Assert.Equal(destination.Length, written);
        Assert.Equal([.. first, .. second], destination);
    }

    [Fact]
    public void Decompression_never_writes_past_the_destination()
    {
        // Made by: the text 40 times | zstd -3 -c --no-content-size --no-check. Without a declared size,
        // libzstd only finds out while decoding that the output does not fit.
        var frame = Convert.FromHexString(
            "28b52ffd0058350100b8686f7274206b6565707320796f757220646174613b202e0400a421820f40814e41d7846613");
        var expected = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(Text, 40)));
        var buffer = new byte[expected.Length + 100];
        buffer.AsSpan().Fill(0xA5);

        Assert.False(Zstd.TryDecompress(frame, buffer.AsSpan(0, expected.Length - 100), out _));

        Assert.All(buffer[(expected.Length - 100)..], b => Assert.Equal(0xA5, b));
        Assert.True(Zstd.TryDecompress(frame, buffer.AsSpan(0, expected.Length), out _));
        Assert.Equal(expected, buffer[..expected.Length]);
    }

    [Fact]
    public void A_destination_too_small_for_compression_is_a_caller_error()
    {
        var raw = TestBytes.FromAlphabet(10_000, 2, 256);

        Assert.Throws<ArgumentException>(() => Zstd.Compress(raw, new byte[100], 3));
        Assert.False(Zstd.TryCompress(raw, new byte[100], 3, out var written));
        Assert.Equal(0, written);
        Assert.True(Zstd.CompressBound(raw.Length) >= raw.Length);
    }

    [Fact]
    public void Contexts_are_independent_per_thread()
    {
        var inputs = Enumerable.Range(0, 32).Select(i => TestBytes.FromAlphabet(20_000 + i, i, 8)).ToArray();

        var results = new bool[inputs.Length];
        Parallel.For(0, inputs.Length, i =>
        {
            var compressed = new byte[Zstd.CompressBound(inputs[i].Length)];
            var length = Zstd.Compress(inputs[i], compressed, 3);
            var output = new byte[inputs[i].Length];
            results[i] = Zstd.TryDecompress(compressed.AsSpan(0, length), output, out _) && output.AsSpan().SequenceEqual(inputs[i]);
        });

        Assert.All(results, Assert.True);
    }
}
