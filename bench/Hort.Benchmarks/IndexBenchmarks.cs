using BenchmarkDotNet.Attributes;
using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;

namespace Hort.Benchmarks;

/// <summary>Loading an index of one million blobs, and looking blobs up in it (hits and misses).</summary>
[MemoryDiagnoser]
public class IndexBenchmarks
{
    private const int Blobs = 1_000_000;
    private const int PerPack = 500;
    private PackEntry[][] _packs = [];
    private ObjectId[] _packIds = [];
    private ObjectId[] _present = [];
    private ObjectId[] _absent = [];
    private BlobIndex _index = null!;

    [GlobalSetup]
    public void Setup()
    {
        (_packIds, _packs) = IndexMemory.MakePacks(Blobs, PerPack);
        _index = Load();
        var rng = new Random(3);
        _present = Enumerable.Range(0, 100_000).Select(_ => _packs[rng.Next(_packs.Length)][rng.Next(PerPack)].Id).ToArray();
        _absent = Enumerable.Range(0, 100_000).Select(i => TestData.Id(-1 - i)).ToArray();
    }

    [Benchmark(Description = "load 1M blobs")]
    public BlobIndex Load()
    {
        var index = new BlobIndex();
        for (var p = 0; p < _packs.Length; p++)
        {
            index.AddPack(_packIds[p], 16 << 20, _packs[p]);
        }

        return index;
    }

    [Benchmark(Description = "100k lookups, present", OperationsPerInvoke = 100_000)]
    public int LookupPresent()
    {
        var found = 0;
        foreach (var id in _present)
        {
            found += _index.TryGet(id, out _) ? 1 : 0;
        }

        return found;
    }

    [Benchmark(Description = "100k lookups, absent", OperationsPerInvoke = 100_000)]
    public int LookupAbsent()
    {
        var found = 0;
        foreach (var id in _absent)
        {
            found += _index.Contains(id) ? 1 : 0;
        }

        return found;
    }

    internal static PackEntry Entry(long n) =>
        new(BlobType.Data, CompressionKind.Zstd, (uint)(n % PerPack) * 4096, 4000, 8000, TestData.Id(n));
}
