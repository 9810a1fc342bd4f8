using Hort.Core;
using Hort.Repository.Checking;
using Hort.Repository.Format;
using Hort.Repository.Maintenance;
using Hort.Repository.Snapshots;
using Hort.Repository.Tests.RepositoryApi;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Repository.Tests.Maintenance;

/// <summary>
/// A repository in memory with hand-made backups of named "files" (cut into fixed-size chunks), the way the command
/// line makes them: a lease first, then the index for writing, then blobs, then the snapshot. Remembers what every
/// snapshot holds so <see cref="VerifyAsync"/> can read each one back byte for byte. Each run gets its own
/// <see cref="LeaseOwner"/> that counts as running until <see cref="End"/>, as a process would until it exits.
/// </summary>
internal sealed class PruneFixture
{
    private const int ChunkSize = 700;
    private readonly HashSet<int> _running = [];
    private int _runs;

    public PruneFixture(IBlobStore store)
    {
        Store = store;
    }

    public IBlobStore Store { get; }

    /// <summary>Snapshot → path → content, for every snapshot committed.</summary>
    public Dictionary<ObjectId, Dictionary<string, byte[]>> Committed { get; } = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<PruneFixture> CreateAsync(IBlobStore? store = null)
    {
        var fixture = new PruneFixture(store ?? new InMemoryBlobStore());
        using var _ = await TestRepository.InitAsync(fixture.Store);
        return fixture;
    }

    /// <summary>A fresh owner for the next run, running until <see cref="End"/>.</summary>
    public LeaseOwner NextOwner()
    {
        lock (_running)
        {
            _running.Add(++_runs);
            return new LeaseOwner("test-host", _runs, "test");
        }
    }

    /// <summary>The owner's "process" has exited (normally, or killed).</summary>
    public void End(LeaseOwner owner)
    {
        lock (_running)
        {
            _running.Remove(owner.Pid);
        }
    }

    public LeaseOptions Leases => new()
    {
        IsHolderGone = owner =>
        {
            lock (_running)
            {
                return owner.Instance == "test" && !_running.Contains(owner.Pid);
            }
        },
    };

    public PruneOptions PruneOptions(LeaseOwner owner, double maxUnused = 0.05, bool dryRun = false) =>
        new() { MaxUnused = maxUnused, DryRun = dryRun, Owner = owner, Leases = Leases };

    public async Task<HortRepository> OpenAsync(IBlobStore? store = null) =>
        await HortRepository.OpenAsync(store ?? Store, TestRepository.Password, cancellationToken: Ct);

    /// <summary>
    /// Files with reproducible random content, as they are at <paramref name="generation"/>: each generation rewrites
    /// a quarter of them.
    /// </summary>
    public static Dictionary<string, byte[]> Files(int count, int generation)
    {
        var files = new Dictionary<string, byte[]>();
        for (var i = 0; i < count; i++)
        {
            var version = 0;
            for (var g = generation; g > 0 && version == 0; g--)
            {
                if ((i + g) % 4 == 0) version = g;
            }

            var seed = (i * 1000) + version;
            files[$"/data/file-{i:D3}"] = TestRepository.RandomBytes(500 + (seed * 7919 % 9000), seed + 1);
        }

        return files;
    }

    /// <summary>Backs up the files as the command line does; returns the snapshot ID.</summary>
    public async Task<ObjectId> BackupAsync(Dictionary<string, byte[]> files, IBlobStore? store = null, DateTimeOffset? time = null)
    {
        var owner = NextOwner();
        try
        {
            using var repository = await OpenAsync(store);
            await using var lease = await RepositoryLease.AcquireAsync(repository, BlobKind.Lease, owner, "backup", Leases, Ct);
            var seen = await repository.LoadIndexForWritingAsync(Ct);
            await repository.AdoptUnindexedPacksAsync(Ct);
            await lease.AcknowledgeAsync(seen, Ct);
            return await WriteSnapshotAsync(repository, files, time, lease);
        }
        finally
        {
            End(owner);
        }
    }

    /// <summary>Writes blobs, trees and the snapshot into an already prepared repository (index loaded).</summary>
    public async Task<ObjectId> WriteSnapshotAsync(HortRepository repository, Dictionary<string, byte[]> files, DateTimeOffset? time = null, RepositoryLease? lease = null)
    {
        using var writer = new BlobWriter(repository);
        var nodes = new List<TreeNode>();
        foreach (var (path, content) in files)
        {
            var chunks = new List<ObjectId>();
            for (var at = 0; at < content.Length; at += ChunkSize)
            {
                var chunk = content.AsMemory(at, Math.Min(ChunkSize, content.Length - at));
                var chunkId = repository.ComputeId(chunk.Span);
                await writer.SaveAsync(BlobType.Data, chunkId, chunk, Ct);
                chunks.Add(chunkId);
            }

            nodes.Add(new TreeNode { Name = NameText.FromText(path.TrimStart('/').Replace('/', '_')), Type = NodeType.File, Size = (ulong)content.Length, Content = chunks, LinkCount = 1 });
        }

        var tree = await writer.SaveTreeAsync(new Tree(nodes), Ct);
        await writer.FlushAsync(Ct);
        if (lease is not null)
        {
            await lease.EnsureHeldAsync(Ct);
        }

        var id = await repository.SaveSnapshotAsync(new Snapshot
        {
            Time = time ?? repository.Time.GetUtcNow(), Tree = tree, Paths = ["/data"], Hostname = "test-host", Username = "tester", Program = "hort tests",
        }, Ct);
        Committed[id] = files;
        return id;
    }

    /// <summary>Forgets snapshots (removes them from <see cref="Committed"/> too).</summary>
    public async Task ForgetAsync(params ObjectId[] ids)
    {
        using var repository = await OpenAsync();
        var all = await repository.ListSnapshotsAsync(Ct);
        await repository.ForgetSnapshotsAsync([.. all.Where(s => ids.Contains(s.Id))], cancellationToken: Ct);
        foreach (var id in ids)
        {
            Committed.Remove(id);
        }
    }

    public async Task<PruneReport> PruneAsync(double maxUnused = 0.05, IBlobStore? store = null)
    {
        var owner = NextOwner();
        try
        {
            using var repository = await OpenAsync(store);
            return await new Pruner(repository, PruneOptions(owner, maxUnused)).RunAsync(Ct);
        }
        finally
        {
            End(owner);
        }
    }

    /// <summary>
    /// check finds nothing wrong, the snapshots are exactly the committed ones, and every file of every snapshot
    /// reads back byte for byte.
    /// </summary>
    public async Task VerifyAsync(string context)
    {
        using var repository = await OpenAsync();
        var report = await new Checker(repository).RunAsync(new CheckOptions { ReadData = true }, Ct);
        Assert.True(report.IsClean, $"{context}: {string.Join("; ", report.Errors.Select(e => $"{e.Object}: {e.Description}"))}");

        using var reader = await OpenAsync();
        await reader.LoadIndexAsync(Ct);
        await reader.LoadUnindexedPacksAsync(Ct);
        var snapshots = await reader.ListSnapshotsAsync(Ct);
        Assert.Equal(Committed.Keys.Order(), snapshots.Select(s => s.Id).Order());
        foreach (var snapshot in snapshots)
        {
            var tree = await reader.LoadTreeAsync(snapshot.Snapshot.Tree, Ct);
            var expected = Committed[snapshot.Id];
            Assert.Equal(expected.Count, tree.Nodes.Count);
            foreach (var (path, content) in expected)
            {
                var node = tree.Find(NameText.FromText(path.TrimStart('/').Replace('/', '_')));
                Assert.NotNull(node);
                var restored = new List<byte>();
                foreach (var chunk in node.Content)
                {
                    restored.AddRange(await reader.LoadBlobAsync(BlobType.Data, chunk, Ct));
                }

                Assert.True(content.AsSpan().SequenceEqual(restored.ToArray()), $"{context}: {path} of snapshot {snapshot.Id.ToShortString()} differs");
            }
        }
    }

    /// <summary>Total bytes of the packs in the store.</summary>
    public async Task<long> PackBytesAsync()
    {
        long total = 0;
        await foreach (var info in Store.ListAsync(BlobKind.Pack, Ct))
        {
            total += info.Length;
        }

        return total;
    }

    /// <summary>A fixture over a copy of this one's store, with the same committed snapshots.</summary>
    public async Task<PruneFixture> CloneAsync()
    {
        var clone = new PruneFixture(await CopyAsync(Store)) { _runs = _runs + 1000 };
        foreach (var (id, files) in Committed)
        {
            clone.Committed[id] = files;
        }

        return clone;
    }

    /// <summary>A copy of every blob of an in-memory store, for runs that start from the same state.</summary>
    public static async Task<InMemoryBlobStore> CopyAsync(IBlobStore source)
    {
        var copy = new InMemoryBlobStore();
        foreach (var kind in Enum.GetValues<BlobKind>())
        {
            await foreach (var info in source.ListAsync(kind, Ct))
            {
                await copy.PutAsync(info.Name, await source.GetAsync(info.Name, Ct), Ct);
            }
        }

        return copy;
    }
}
