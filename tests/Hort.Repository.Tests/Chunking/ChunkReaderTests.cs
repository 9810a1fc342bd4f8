using FsCheck;
using FsCheck.Fluent;
using Hort.Repository.Chunking;

namespace Hort.Repository.Tests.Chunking;

public sealed class ChunkReaderTests
{
    private readonly Chunker _chunker = new(ChunkerTests.Small, ChunkerTests.Gear);

    [Fact]
    public void Short_reads_give_the_same_chunks_as_Split()
    {
        var sizes = Gen.Choose(0, 60_000).ToArbitrary();
        var seeds = ArbMap.Default.ArbFor<int>();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(50), Prop.ForAll(sizes, seeds, (size, seed) =>
        {
            var data = TestBytes.Random(size, seed);
            using var stream = new TricklingStream(data, seed);

            var chunks = ReadAll(new ChunkReader(_chunker, stream));

            AssertSameAsSplit(_chunker, data, chunks);
        }));
    }

    [Fact]
    public void Whole_reads_of_a_large_input_give_the_same_chunks_as_Split()
    {
        var data = TestBytes.Random(3 << 20, 9);
        var chunker = new Chunker(new ChunkerParameters(4096, 16384, 65536), ChunkerTests.Gear);
        using var stream = new MemoryStream(data);

        var chunks = ReadAll(new ChunkReader(chunker, stream));

        AssertSameAsSplit(chunker, data, chunks);
    }

    [Fact]
    public void Input_without_boundaries_is_cut_at_the_maximum_size_across_refills()
    {
        // Zeros never meet the boundary condition: every chunk needs the look-ahead extended to the maximum size.
        var data = new byte[(10 * ChunkerTests.Small.MaxSize) + 123];
        TestBytes.Random(5000, 3).CopyTo(data, 3 * ChunkerTests.Small.MaxSize);
        using var stream = new TricklingStream(data, 11);

        var chunks = ReadAll(new ChunkReader(_chunker, stream));

        AssertSameAsSplit(_chunker, data, chunks);
        Assert.Contains(chunks, c => c.Bytes.Length == ChunkerTests.Small.MaxSize);
    }

    [Fact]
    public async Task Empty_input_has_no_chunks_and_a_small_one_has_one()
    {
        using (var reader = new ChunkReader(_chunker, new MemoryStream()))
        {
            Assert.Null(await reader.NextAsync(TestContext.Current.CancellationToken));
        }

        var small = TestBytes.Random(ChunkerTests.Small.MinSize - 1, 1);
        var chunks = ReadAll(new ChunkReader(_chunker, new MemoryStream(small)));
        Assert.Equal([small], chunks.Select(c => c.Bytes));
    }

    [Fact]
    public async Task A_delegate_source_works_and_reading_after_the_end_stays_at_the_end()
    {
        var data = TestBytes.Random(20_000, 2);
        var position = 0;
        using var reader = new ChunkReader(_chunker, (memory, _) =>
        {
            var n = Math.Min(memory.Length, Math.Min(3000, data.Length - position));
            data.AsMemory(position, n).CopyTo(memory);
            position += n;
            return ValueTask.FromResult(n);
        });
        var total = 0L;

        while (await reader.NextAsync(TestContext.Current.CancellationToken) is { } chunk)
        {
            total += chunk.Length;
        }

        Assert.Equal(data.Length, total);
        Assert.Equal(data.Length, reader.BytesConsumed);
        Assert.Null(await reader.NextAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Cancellation_reaches_the_source()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        using var reader = new ChunkReader(_chunker, new MemoryStream(new byte[10_000]));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.NextAsync(cts.Token).AsTask());
    }

    [Fact]
    public async Task A_disposed_reader_refuses_to_read()
    {
        var reader = new ChunkReader(_chunker, new MemoryStream(new byte[10]));
        reader.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => reader.NextAsync(TestContext.Current.CancellationToken).AsTask());
    }

    private static void AssertSameAsSplit(Chunker chunker, byte[] data, List<(long Offset, byte[] Bytes)> chunks)
    {
        var expected = chunker.Split(data).ToList();
        Assert.Equal(expected.Select(c => (long)c.Offset), chunks.Select(c => c.Offset));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(data.AsSpan(expected[i].Offset, expected[i].Length).SequenceEqual(chunks[i].Bytes), $"chunk {i} differs");
        }
    }

    private static List<(long Offset, byte[] Bytes)> ReadAll(ChunkReader reader)
    {
        using (reader)
        {
            var chunks = new List<(long, byte[])>();
            // The test sources complete synchronously, so waiting here cannot block.
            while (reader.NextAsync(TestContext.Current.CancellationToken).AsTask().GetAwaiter().GetResult() is { } chunk)
            {
                // Copied: the memory is only valid until the next call.
                chunks.Add((reader.ChunkOffset, chunk.ToArray()));
            }

            return chunks;
        }
    }

    /// <summary>A stream that returns 1 to 7 bytes per read.</summary>
    private sealed class TricklingStream(byte[] data, int seed) : Stream
    {
        private readonly Random _random = new(seed);
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, _random.Next(1, 8)), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
