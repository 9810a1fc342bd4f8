using Hort.Core;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Repository.Maintenance;

/// <summary>Prune stopped before deleting anything, because the repository is not as it must be to delete safely.</summary>
public sealed class PruneRefusedException(string reason, Exception? inner = null)
    : HortException($"prune stopped and deleted nothing: {reason}", inner);

/// <summary>
/// Removes data no snapshot uses, in two phases that are safe while backups run (format spec, section 11.5).
/// Phase 1 verifies that index and storage agree, walks every snapshot, copies the used blobs of mostly unused packs
/// into new packs, and announces the deletion in a deletion record, then writes the index that replaces the old ones.
/// Phase 2 deletes the announced objects once every backup that may not have seen the record has ended, after checking
/// again that no snapshot present then needs them. Any disagreement stops prune before it deletes anything.
/// </summary>
public sealed partial class Pruner
{
    private readonly HortRepository _repository;
    private readonly PruneOptions _options;

    public Pruner(HortRepository repository, PruneOptions options)
    {
        if (options.MaxUnused is < 0 or > 1 || double.IsNaN(options.MaxUnused))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxUnused must be between 0 and 1");
        }

        _repository = repository;
        _options = options;
    }

    private IBlobStore Store => _repository.Store;

    /// <summary>Runs prune; the repository need not have its index loaded.</summary>
    public async Task<PruneReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var report = new PruneReport();
        if (_options.DryRun)
        {
            var pending = await ReadRecordsAsync(cancellationToken).ConfigureAwait(false);
            foreach (var record in pending)
            {
                report.Notes.Add($"a deletion announced at {record.Created:u} by {record.Hostname} is pending ({record.Packs.Count} pack(s)); the next prune finishes it");
            }

            var dry = await ReadInventoryAsync(report, cancellationToken).ConfigureAwait(false);
            Plan(dry, report);
            report.Outcome = PruneOutcome.DryRun;
            return report;
        }

        await using var pruneLock = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        var temporaries = await Store.CleanTemporaryFilesAsync(_options.TemporaryFileAge, cancellationToken).ConfigureAwait(false);
        if (temporaries > 0)
        {
            report.Notes.Add($"removed {temporaries} temporary file(s) left by interrupted writes");
        }

        var verified = new HashSet<ObjectId>();
        var finishedEarlier = false;
        foreach (var record in await ReadRecordsAsync(cancellationToken).ConfigureAwait(false))
        {
            finishedEarlier = true;
            if (!await FinishAsync(record, verified, report, cancellationToken).ConfigureAwait(false))
            {
                report.Outcome = PruneOutcome.Deferred;
                return report;
            }
        }

        if (_options.FinishPendingOnly)
        {
            report.Outcome = finishedEarlier ? PruneOutcome.Completed : PruneOutcome.NothingToDo;
            return report;
        }

        var inventory = await ReadInventoryAsync(report, cancellationToken).ConfigureAwait(false);
        var plan = Plan(inventory, report);
        if (plan.Delete.Count == 0 && plan.Repack.Count == 0)
        {
            report.Outcome = finishedEarlier ? PruneOutcome.Completed : PruneOutcome.NothingToDo;
            return report;
        }

        var announced = await AnnounceAsync(inventory, plan, report, cancellationToken).ConfigureAwait(false);
        verified.UnionWith(inventory.Snapshots.Select(static s => s.Id));
        report.Outcome = await FinishAsync(announced, verified, report, cancellationToken).ConfigureAwait(false)
            ? PruneOutcome.Completed
            : PruneOutcome.Deferred;
        return report;
    }

    private async Task<IReadOnlyList<DeletionRecord>> ReadRecordsAsync(CancellationToken ct)
    {
        try
        {
            return await _repository.ReadDeletionRecordsAsync(ct).ConfigureAwait(false);
        }
        catch (RepositoryCorruptException e)
        {
            throw new PruneRefusedException($"{e.ObjectName} is damaged ({e.Problem}); run 'hort check'", e);
        }
    }

    /// <summary>Takes prune's lock; refuses while another prune holds one that is not stale.</summary>
    private async Task<RepositoryLease> AcquireLockAsync(CancellationToken ct)
    {
        var own = await RepositoryLease.AcquireAsync(_repository, BlobKind.Lock, _options.Owner, "prune", _options.Leases, ct).ConfigureAwait(false);
        try
        {
            var now = _repository.Time.GetUtcNow();
            var others = (await RepositoryLease.ListAsync(_repository, BlobKind.Lock, ct).ConfigureAwait(false))
                .Where(l => l.Name != own.Name && !l.IsOver(now, _options.Leases))
                .ToList();
            if (others.Count > 0)
            {
                throw new HortException(
                    $"another prune is running: {others[0]}; it ends, or goes stale {_options.Leases.StaleAfter.TotalMinutes:0} minutes after its last refresh, by itself; nothing was changed");
            }

            return own;
        }
        catch
        {
            await own.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Everything prune must know, read strictly: any damage or disagreement stops it.</summary>
    private sealed class Inventory
    {
        public Dictionary<ObjectId, IndexFile> IndexFiles { get; } = [];

        public Dictionary<ObjectId, IndexedPack> Indexed { get; } = [];

        public BlobIndex Index { get; } = new();

        public List<StoredSnapshot> Snapshots { get; set; } = [];

        public HashSet<ObjectId> Used { get; } = [];
    }

    private async Task<Inventory> ReadInventoryAsync(PruneReport report, CancellationToken ct)
    {
        var inventory = new Inventory();
        await foreach (var (id, info) in _repository.ListObjectsAsync(BlobKind.Index, ct).ConfigureAwait(false))
        {
            inventory.IndexFiles[id] = await ReadIndexStrictAsync(id, ct).ConfigureAwait(false);
        }

        // An index file another one supersedes (repair writes such) need not match storage; prune deletes it too.
        var stored = await ListPacksAsync(ct).ConfigureAwait(false);
        var superseded = Superseded(inventory.IndexFiles);
        foreach (var (indexId, file) in inventory.IndexFiles)
        {
            if (superseded.Contains(indexId))
            {
                continue;
            }

            foreach (var pack in file.Packs)
            {
                CheckStored(stored, pack, $"index/{indexId}");
                if (inventory.Indexed.TryAdd(pack.PackId, pack))
                {
                    inventory.Index.AddPack(pack.PackId, pack.Length, pack.Entries);
                }
            }
        }

        // Packs no index lists belong to a backup still running or one that was interrupted: never deleted here, but
        // their headers must be readable, and snapshots may use them.
        foreach (var (packId, length) in stored)
        {
            if (!inventory.Indexed.ContainsKey(packId))
            {
                var entries = await ReadHeaderStrictAsync(packId, length, ct).ConfigureAwait(false);
                inventory.Index.AddPack(packId, length, entries);
                report.PacksUnindexed++;
            }
        }

        try
        {
            inventory.Snapshots = [.. await _repository.ListSnapshotsAsync(ct).ConfigureAwait(false)];
        }
        catch (RepositoryCorruptException e)
        {
            throw new PruneRefusedException($"{e.ObjectName} is damaged ({e.Problem}); run 'hort check'", e);
        }

        report.Snapshots = inventory.Snapshots.Count;
        var walker = new UsageWalker(_repository, inventory.Index, null);
        foreach (var snapshot in inventory.Snapshots)
        {
            await walker.WalkAsync(snapshot, inventory.Used, ct).ConfigureAwait(false);
        }

        return inventory;
    }

    /// <summary>The index files that another of <paramref name="files"/> supersedes.</summary>
    private static HashSet<ObjectId> Superseded(Dictionary<ObjectId, IndexFile> files) =>
        [.. files.Values.SelectMany(static f => f.Supersedes).Where(files.ContainsKey)];

    private async Task<IndexFile> ReadIndexStrictAsync(ObjectId id, CancellationToken ct)
    {
        try
        {
            return await _repository.ReadIndexFileAsync(id, ct).ConfigureAwait(false);
        }
        catch (RepositoryCorruptException e)
        {
            throw new PruneRefusedException($"index file {e.ObjectName} is damaged ({e.Problem}); run 'hort check'", e);
        }
    }

    private async Task<IReadOnlyList<PackEntry>> ReadHeaderStrictAsync(ObjectId packId, long length, CancellationToken ct)
    {
        try
        {
            return await PackReader.ReadHeaderAsync(Store, _repository.Codec.Cipher, packId, length, ct).ConfigureAwait(false);
        }
        catch (RepositoryCorruptException e)
        {
            throw new PruneRefusedException($"{e.ObjectName} is in no index and its header cannot be read ({e.Problem}); run 'hort check'", e);
        }
    }

    private async Task<Dictionary<ObjectId, long>> ListPacksAsync(CancellationToken ct)
    {
        var stored = new Dictionary<ObjectId, long>();
        await foreach (var (id, info) in _repository.ListObjectsAsync(BlobKind.Pack, ct).ConfigureAwait(false))
        {
            stored[id] = info.Length;
        }

        return stored;
    }

    private static void CheckStored(Dictionary<ObjectId, long> stored, IndexedPack pack, string listedBy)
    {
        var name = BlobName.For(BlobKind.Pack, pack.PackId);
        if (!stored.TryGetValue(pack.PackId, out var length))
        {
            throw new PruneRefusedException($"{listedBy} lists {name}, which is missing; run 'hort check'");
        }

        if (length != pack.Length)
        {
            throw new PruneRefusedException($"{name} is {length} bytes but {listedBy} says {pack.Length}; run 'hort check'");
        }
    }

    /// <summary>What phase 1 will do: packs to delete whole, and packs whose used blobs are copied first.</summary>
    private sealed record PrunePlan(List<IndexedPack> Delete, List<(IndexedPack Pack, List<PackEntry> Used)> Repack, List<IndexedPack> Keep);

    private PrunePlan Plan(Inventory inventory, PruneReport report)
    {
        var plan = new PrunePlan([], [], []);
        foreach (var pack in inventory.Indexed.Values)
        {
            report.PacksTotal++;
            report.BytesTotal += pack.Length;
            var used = new List<PackEntry>();
            long usedBytes = 0;
            foreach (var entry in pack.Entries)
            {
                // A blob stored twice is used only where the index finds it; the other copy is garbage.
                if (inventory.Used.Contains(entry.Id) && inventory.Index.TryGet(entry.Id, out var at) && at.PackId == pack.PackId)
                {
                    used.Add(entry);
                    usedBytes += entry.StoredLength;
                }
            }

            if (used.Count == 0)
            {
                plan.Delete.Add(pack);
                report.PacksUnused++;
                report.BytesUnused += pack.Length;
                continue;
            }

            var unused = pack.Entries.Sum(static e => (long)e.StoredLength) - usedBytes;
            if (unused > 0 && unused > _options.MaxUnused * pack.Length)
            {
                plan.Repack.Add((pack, used));
                report.PacksRepacked++;
                report.BytesRepacked += pack.Length;
                report.BytesCopied += usedBytes;
            }
            else
            {
                plan.Keep.Add(pack);
            }
        }

        report.IndexFilesReplaced = plan.Delete.Count + plan.Repack.Count > 0 ? inventory.IndexFiles.Count : 0;
        return plan;
    }
}
