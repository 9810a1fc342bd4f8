using System.Diagnostics;
using Hort.Core;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;

namespace Hort.Benchmarks;

/// <summary>What the in-memory index costs per blob, measured on an index of many blobs.</summary>
internal static class IndexMemory
{
    private const int PerPack = 500;

    public static int Run(int blobs)
    {
        // Entries are made pack by pack and dropped after loading, as LoadIndexAsync does with index files.
        var before = Settle();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var index = new BlobIndex();
        long entryBytes = 0;
        for (long first = 0, p = 0; first < blobs; first += PerPack, p++)
        {
            var count = (int)Math.Min(PerPack, blobs - first);
            var entries = new PackEntry[count];
            for (var i = 0; i < count; i++)
            {
                entries[i] = IndexBenchmarks.Entry(first + i);
            }

            entryBytes += count * (long)System.Runtime.CompilerServices.Unsafe.SizeOf<PackEntry>();
            index.AddPack(TestData.Id(-1_000_000_000L - p), 16 << 20, entries);
        }

        var loadTime = clock.Elapsed;
        var after = Settle();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore - entryBytes;

        clock.Restart();
        var found = 0;
        for (long n = 0; n < blobs; n += 97)
        {
            found += index.Contains(TestData.Id(n)) ? 1 : 0;
        }

        var lookups = (blobs + 96) / 97;
        var lookupTime = clock.Elapsed;
        if (found != lookups || index.Count != blobs)
        {
            Console.Error.WriteLine($"index lost blobs: {index.Count} of {blobs}, {found} of {lookups} found");
            return 1;
        }

        Console.WriteLine($"blobs:                {blobs:N0} in {index.PackCount:N0} packs");
        Console.WriteLine($"live heap per blob:   {(after - before) / (double)blobs:F1} bytes (GC.GetTotalMemory after a full collection)");
        Console.WriteLine($"allocated per blob:   {allocated / (double)blobs:F1} bytes (all allocations while loading, including grown-out tables)");
        Console.WriteLine($"load:                 {loadTime.TotalSeconds:F2} s ({blobs / loadTime.TotalSeconds / 1e6:F2} M blobs/s, ID generation included)");
        Console.WriteLine($"lookup (present):     {lookupTime.TotalMilliseconds * 1e6 / lookups:F0} ns each, SHA-256 of the test ID included");
        GC.KeepAlive(index);
        return 0;
    }

    /// <summary>Blob entries for <paramref name="blobs"/> blobs in packs of <paramref name="perPack"/>.</summary>
    public static (ObjectId[] PackIds, PackEntry[][] Packs) MakePacks(int blobs, int perPack)
    {
        var packs = new PackEntry[(blobs + perPack - 1) / perPack][];
        var ids = new ObjectId[packs.Length];
        for (var p = 0; p < packs.Length; p++)
        {
            var count = Math.Min(perPack, blobs - (p * perPack));
            packs[p] = new PackEntry[count];
            for (var i = 0; i < count; i++)
            {
                packs[p][i] = IndexBenchmarks.Entry(((long)p * perPack) + i);
            }

            ids[p] = TestData.Id(-1_000_000_000L - p);
        }

        return (ids, packs);
    }

    private static long Settle()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
