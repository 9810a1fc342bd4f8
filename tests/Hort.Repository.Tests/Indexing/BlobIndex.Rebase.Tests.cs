using Hort.Core;
using Hort.Repository.Indexing;

namespace Hort.Repository.Tests.Indexing;

public sealed partial class BlobIndexTests
{
    [Fact]
    public void Rebase_takes_the_fresh_index_keeps_packs_only_the_live_one_knows_and_drops_announced_packs()
    {
        var live = new BlobIndex();
        live.AddPack(Id(100), 10, [Entry(1), Entry(2)]);   // announced for deletion
        live.AddPack(Id(101), 11, [Entry(3)]);             // kept, listed by the fresh index too
        live.AddPack(Id(102), 12, [Entry(4)]);             // written by this process since: no index file lists it yet

        var fresh = new BlobIndex();
        fresh.AddPack(Id(101), 11, [Entry(3)]);
        fresh.AddPack(Id(103), 13, [Entry(2)]);            // a pack the prune repacked blob 2 into

        live.Rebase(fresh, new HashSet<ObjectId> { Id(100) });

        Assert.Equal([(Id(101), 11L), (Id(103), 13L), (Id(102), 12L)], live.Packs());
        Assert.False(live.Contains(Id(1)));                // only in the announced pack: gone (stored again when needed)
        Assert.True(live.TryGet(Id(2), out var two));
        Assert.Equal(Id(103), two.PackId);
        Assert.Equal(Id(101), (live.TryGet(Id(3), out var three) ? three : default).PackId);
        Assert.Equal(Id(102), (live.TryGet(Id(4), out var four) ? four : default).PackId);
        Assert.Equal(3, live.Count);
        Assert.False(live.ContainsPack(Id(100)));

        live.AddPack(Id(104), 14, [Entry(5)]);
        Assert.True(live.Contains(Id(5)));
        Assert.Equal(4, live.Count);
    }

    [Fact]
    public void Rebase_of_a_large_index_keeps_every_blob_findable()
    {
        var live = new BlobIndex();
        var fresh = new BlobIndex();
        for (var p = 0; p < 200; p++)
        {
            var entries = Enumerable.Range(p * 300, 300).Select(Entry).ToArray();
            live.AddPack(Id(1_000_000 + p), p, entries);
            if (p % 2 == 0) fresh.AddPack(Id(1_000_000 + p), p, entries);
        }

        live.Rebase(fresh, new HashSet<ObjectId> { Id(1_000_001) });

        Assert.Equal(199, live.PackCount);
        Assert.Equal(199 * 300, live.Count);
        for (var n = 0; n < 200 * 300; n++)
        {
            Assert.Equal(n / 300 != 1, live.Contains(Id(n)));
        }
    }
}
