using System.Security.Cryptography;
using Hort.Core;
using Hort.Repository.Checking;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Maintenance;
using Hort.Repository.Packs;
using Hort.Storage;

namespace Hort.Repository.Repair;

/// <summary>
/// Repairs a repository after damage: reads every pack (or its header), moves damaged packs to
/// <c>quarantine/</c> after copying every blob of them that still verifies into new packs, writes an index built from
/// the intact packs that supersedes all old index files, and records for each snapshot which of its files are lost.
/// Nothing is ever deleted without a copy: damaged packs are moved, never removed or overwritten; old index files go
/// only once the new index is durable (every pack carries its own header, so they hold nothing else).
/// Every step leaves a valid repository, so an interrupted repair is finished by running it again.
/// </summary>
public sealed partial class Repairer
{
    private const int PacksPerIndexFile = 512;

    private readonly HortRepository _repository;
    private readonly IProgress<CheckProgress>? _progress;

    public Repairer(HortRepository repository, IProgress<CheckProgress>? progress = null)
    {
        _repository = repository;
        _progress = progress;
    }

    /// <summary>One pack as repair found it.</summary>
    private sealed class PackState(ObjectId id, long length)
    {
        public ObjectId Id { get; } = id;

        public long Length { get; } = length;

        /// <summary>The verified header entries of an intact pack; null when the pack is damaged.</summary>
        public IReadOnlyList<PackEntry>? Entries { get; set; }

        public string? Problem { get; set; }

        /// <summary>For a damaged pack: the blobs that still verify (read again when salvaged, so memory stays small).</summary>
        public List<PackEntry> Salvageable { get; } = [];

        public List<ObjectId> Unreadable { get; } = [];
    }

    public async Task<RepairReport> RunAsync(RepairOptions options, CancellationToken cancellationToken = default)
    {
        var ct = cancellationToken;
        var report = new RepairReport { DryRun = options.DryRun };
        await using var held = options.DryRun ? null : await AcquireLockAsync(options, ct).ConfigureAwait(false);
        var announced = await PacksAnnouncedForDeletionAsync(report, ct).ConfigureAwait(false);

        // 1. What the index files say (to find the blobs of packs whose header is lost) and which files are damaged.
        var oldIndexFiles = new List<ObjectId>();
        var indexed = new Dictionary<ObjectId, IndexedPack>();
        var damagedIndexFiles = 0;
        await foreach (var (id, info) in _repository.ListObjectsAsync(BlobKind.Index, ct).ConfigureAwait(false))
        {
            oldIndexFiles.Add(id);
            try
            {
                foreach (var pack in (await _repository.ReadIndexFileAsync(id, ct).ConfigureAwait(false)).Packs)
                {
                    indexed.TryAdd(pack.PackId, pack);
                }
            }
            catch (RepositoryCorruptException e)
            {
                damagedIndexFiles++;
                report.Warnings.Add($"{info.Name}: {e.Problem}; it is replaced by the rebuilt index");
            }
        }

        // 2. Every pack, read and verified.
        var stored = new List<(ObjectId Id, long Length)>();
        await foreach (var (id, info) in _repository.ListObjectsAsync(BlobKind.Pack, ct).ConfigureAwait(false))
        {
            if (!announced.Contains(id))
            {
                stored.Add((id, info.Length));
            }
        }

        var packs = new List<PackState>(stored.Count);
        for (var i = 0; i < stored.Count; i++)
        {
            _progress?.Report(new CheckProgress("packs", i, stored.Count));
            var state = new PackState(stored[i].Id, stored[i].Length);
            await InspectAsync(state, options.HeadersOnly, indexed, ct).ConfigureAwait(false);
            report.PacksRead++;
            packs.Add(state);
        }

        _progress?.Report(new CheckProgress("packs", stored.Count, stored.Count));
        var intact = packs.Where(p => p.Entries is not null).ToList();
        var damaged = packs.Where(p => p.Entries is null).ToList();
        report.PacksDamaged = damaged.Count;

        foreach (var packId in announced)
        {
            indexed.Remove(packId);
        }

        foreach (var (packId, _) in indexed)
        {
            if (!stored.Exists(s => s.Id == packId))
            {
                report.Warnings.Add($"{BlobName.For(BlobKind.Pack, packId)} is listed by the index but missing; its blobs are lost unless another pack holds them");
            }
        }

        // 3. The new index: the intact packs only. A blob stored twice is found in an intact pack when one exists.
        var index = new BlobIndex();
        foreach (var pack in intact)
        {
            index.AddPack(pack.Id, pack.Length, pack.Entries!);
        }

        var indexChanged = damagedIndexFiles > 0 || damaged.Count > 0 || !SameAsIndexed(intact, indexed);

        // 4. Salvage each damaged pack, then move it to quarantine.
        _repository.UseIndex(index);
        foreach (var pack in damaged)
        {
            await SalvageAsync(report, pack, index, options.DryRun, ct).ConfigureAwait(false);
        }

        // A blob that does not verify is lost only if no intact copy exists anywhere, salvaged ones included.
        report.BlobsLost.UnionWith(damaged.SelectMany(p => p.Unreadable).Where(id => !index.Contains(id)));

        // 5. The rebuilt index replaces every old index file.
        if (indexChanged)
        {
            await ReplaceIndexAsync(report, intact, oldIndexFiles, options.DryRun, ct).ConfigureAwait(false);
        }

        // 6. Mark the snapshots that lack data, and unmark those that are whole again.
        await MarkSnapshotsAsync(report, options.DryRun, ct).ConfigureAwait(false);
        return report;
    }

    /// <summary>
    /// Takes the maintenance lock prune takes too, and refuses while a prune or another repair holds one, or a backup
    /// holds a lease: a running backup may rely on a pack repair is about to move.
    /// </summary>
    private async Task<RepositoryLease> AcquireLockAsync(RepairOptions options, CancellationToken ct)
    {
        var own = await RepositoryLease.AcquireAsync(_repository, BlobKind.Lock, options.Owner, "repair", options.Leases, ct).ConfigureAwait(false);
        try
        {
            var now = _repository.Time.GetUtcNow();
            var locks = (await RepositoryLease.ListAsync(_repository, BlobKind.Lock, ct).ConfigureAwait(false))
                .Where(l => l.Name != own.Name && !l.IsOver(now, options.Leases)).ToList();
            if (locks.Count > 0)
            {
                throw new HortException($"a prune or another repair is running: {locks[0]}; nothing was changed");
            }

            var leases = (await RepositoryLease.ListAsync(_repository, BlobKind.Lease, ct).ConfigureAwait(false))
                .Where(l => !l.IsOver(now, options.Leases)).ToList();
            if (leases.Count > 0)
            {
                throw new HortException(
                    $"a backup is running: {leases[0]}; run repair when no backup runs (a killed backup's lease is over at once on its own machine, elsewhere {options.Leases.StaleAfter.TotalMinutes:0} minutes after its last refresh); nothing was changed");
            }

            return own;
        }
        catch
        {
            await own.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Packs a pending prune announced for deletion: writers already treat them as absent, so repair leaves them out of
    /// the index and leaves them in place for that prune to delete.
    /// </summary>
    private async Task<HashSet<ObjectId>> PacksAnnouncedForDeletionAsync(RepairReport report, CancellationToken ct)
    {
        try
        {
            var records = await _repository.ReadDeletionRecordsAsync(ct).ConfigureAwait(false);
            var packs = records.SelectMany(r => r.Packs.Select(p => p.PackId)).ToHashSet();
            if (packs.Count > 0)
            {
                report.Warnings.Add($"{packs.Count} pack(s) a pending prune announced for deletion are left out of the index and left for that prune ('hort prune' finishes it)");
            }

            return packs;
        }
        catch (RepositoryCorruptException e)
        {
            report.Warnings.Add($"{e.ObjectName}: {e.Problem}; the packs a prune may have announced there are kept in the index");
            return [];
        }
    }

    /// <summary>Reads one pack and decides whether it is intact; for a damaged one, finds the blobs that still verify.</summary>
    private async Task InspectAsync(PackState state, bool headersOnly, Dictionary<ObjectId, IndexedPack> indexed, CancellationToken ct)
    {
        var name = BlobName.For(BlobKind.Pack, state.Id);
        if (headersOnly)
        {
            try
            {
                state.Entries = await PackReader.ReadHeaderAsync(_repository.Store, _repository.Codec.Cipher, state.Id, state.Length, ct).ConfigureAwait(false);
                return;
            }
            catch (RepositoryCorruptException e)
            {
                state.Problem = e.Problem;
            }
        }

        // A pack that cannot be read at all (an I/O error) stops the repair before anything is changed.
        var content = await _repository.Store.GetAsync(name, ct).ConfigureAwait(false);
        if (!headersOnly)
        {
            try
            {
                var header = PackReader.ParseWholePack(_repository.Codec.Cipher, state.Id, content);
                var bad = header.Where(e => !TryOpen(state.Id, content, e, out _)).Select(e => e.Id).ToList();
                if (bad.Count == 0)
                {
                    state.Entries = header;
                    return;
                }

                state.Problem = $"{bad.Count} blob(s) do not verify (first: {bad[0]})";
            }
            catch (RepositoryCorruptException e)
            {
                state.Problem = e.Problem;
            }
        }

        // The blobs of a damaged pack: from its header if that still opens, else from what the index files listed.
        IReadOnlyList<PackEntry> candidates;
        try
        {
            candidates = PackReader.ParseHeader(_repository.Codec.Cipher, state.Id, content);
        }
        catch (RepositoryCorruptException)
        {
            candidates = indexed.TryGetValue(state.Id, out var listed) ? listed.Entries : [];
        }

        foreach (var entry in candidates)
        {
            if (TryOpen(state.Id, content, entry, out _))
            {
                state.Salvageable.Add(entry);
            }
            else
            {
                state.Unreadable.Add(entry.Id);
            }
        }
    }

    private bool TryOpen(ObjectId packId, byte[] content, PackEntry entry, out byte[] raw)
    {
        raw = [];
        if ((long)entry.Offset + entry.StoredLength > content.Length)
        {
            return false;
        }

        try
        {
            raw = _repository.Codec.Open(content.AsSpan((int)entry.Offset, (int)entry.StoredLength), entry, packId);
            return true;
        }
        catch (RepositoryCorruptException)
        {
            return false;
        }
    }

    /// <summary>True when the old index lists exactly the intact packs, with the same lengths and blob counts.</summary>
    private static bool SameAsIndexed(List<PackState> intact, Dictionary<ObjectId, IndexedPack> indexed) =>
        intact.Count == indexed.Count
        && intact.TrueForAll(p => indexed.TryGetValue(p.Id, out var listed) && listed.Length == p.Length && listed.Entries.Count == p.Entries!.Count);

    /// <summary>
    /// Copies every verified blob of a damaged pack that no intact pack holds into new packs, makes them durable, and
    /// only then moves the pack to quarantine/.
    /// </summary>
    private async Task SalvageAsync(RepairReport report, PackState pack, BlobIndex index, bool dryRun, CancellationToken ct)
    {
        var name = BlobName.For(BlobKind.Pack, pack.Id);
        var content = await _repository.Store.GetAsync(name, ct).ConfigureAwait(false);
        var saved = 0;
        var present = 0;
        using (var writer = dryRun ? null : new BlobWriter(_repository))
        {
            foreach (var entry in pack.Salvageable)
            {
                if (index.Contains(entry.Id) || (writer?.Has(entry.Id) ?? false))
                {
                    present++;
                    continue;
                }

                if (!TryOpen(pack.Id, content, entry, out var raw))
                {
                    throw new HortException($"{name} changed while repair read it; nothing of it was changed, run repair again");
                }

                if (writer is not null)
                {
                    await writer.SaveAsync(entry.Type, entry.Id, raw, ct).ConfigureAwait(false);
                }

                saved++;
            }

            if (writer is not null)
            {
                await writer.FlushAsync(ct).ConfigureAwait(false);
            }
        }

        if (dryRun)
        {
            // A dry run changes nothing, but later steps should see what the salvage would make available.
            index.AddPack(pack.Id, pack.Length, pack.Salvageable);
        }

        report.BlobsSalvaged += saved;
        report.Actions.Add(new RepairAction("salvage", name.ToString(),
            $"{pack.Problem}: copied {saved} intact blob(s) into new packs ({present} more are stored intact elsewhere); {pack.Unreadable.Count} blob(s) do not verify"));
        report.Actions.Add(new RepairAction("quarantine", name.ToString(), $"moved to {BlobName.For(BlobKind.Quarantine, pack.Id)} ({pack.Problem})"));
        if (!dryRun)
        {
            await MoveToQuarantineAsync(name, pack.Id, content, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Copies a stored object to quarantine/ under the same name, reads the copy back, then removes the original.</summary>
    private async Task MoveToQuarantineAsync(BlobName from, ObjectId id, byte[]? content, CancellationToken ct)
    {
        var to = BlobName.For(BlobKind.Quarantine, id);
        content ??= await _repository.Store.GetAsync(from, ct).ConfigureAwait(false);
        await _repository.Store.PutAsync(to, content, ct).ConfigureAwait(false);
        var copy = await _repository.Store.GetAsync(to, ct).ConfigureAwait(false);
        if (!SHA256.HashData(copy).AsSpan().SequenceEqual(SHA256.HashData(content)))
        {
            throw new HortException($"the quarantine copy {to} does not match {from}; {from} was left in place");
        }

        await _repository.Store.DeleteAsync(from, ct).ConfigureAwait(false);
    }

    /// <summary>Writes the index of the intact packs; the last file written supersedes every old one, which then go.</summary>
    private async Task ReplaceIndexAsync(RepairReport report, List<PackState> intact, List<ObjectId> oldFiles, bool dryRun, CancellationToken ct)
    {
        var records = intact.Select(p => new IndexedPack(p.Id, p.Length, p.Entries!)).ToList();
        var files = Math.Max(1, (records.Count + PacksPerIndexFile - 1) / PacksPerIndexFile);
        report.Actions.Add(new RepairAction("write-index", "index/",
            $"rebuilt the index from {records.Count} intact pack(s) into {files} new file(s) that supersede {oldFiles.Count} old one(s)"));
        foreach (var old in oldFiles)
        {
            report.Actions.Add(new RepairAction("remove-index", BlobName.For(BlobKind.Index, old).ToString(), "superseded by the rebuilt index"));
        }

        if (dryRun)
        {
            return;
        }

        for (var f = 0; f < files; f++)
        {
            var part = records.Skip(f * PacksPerIndexFile).Take(PacksPerIndexFile).ToList();
            var last = f == files - 1;

            // Only the last file names the superseded ones: once it is durable, all new files are.
            await _repository.WriteIndexAsync(part, last ? oldFiles : [], ct).ConfigureAwait(false);
        }

        foreach (var old in oldFiles)
        {
            await _repository.Store.DeleteAsync(BlobName.For(BlobKind.Index, old), ct).ConfigureAwait(false);
        }
    }
}
