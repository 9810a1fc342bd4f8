using BenchmarkDotNet.Attributes;
using Hort.Repository.Chunking;

namespace Hort.Benchmarks;

/// <summary>Finding chunk boundaries (FastCDC with the secret gear table) in 64 MiB of random data.</summary>
[MemoryDiagnoser]
public class ChunkingBenchmarks
{
    private const int Length = 64 << 20;
    private byte[] _data = [];
    private Chunker _chunker = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = TestData.Random(Length);
        _chunker = new Chunker(ChunkerParameters.Default, GearTable.Derive(TestData.Key.ChunkerKey));
    }

    /// <summary>Returns the number of chunks so the work cannot be optimised away.</summary>
    [Benchmark(Description = "chunk 64 MiB random")]
    public int Chunk64MiB()
    {
        var span = _data.AsSpan();
        var chunks = 0;
        while (span.Length > 0)
        {
            var length = _chunker.FindBoundary(span, isFinal: true);
            span = span[length..];
            chunks++;
        }

        return chunks;
    }
}
