using System.Security.Cryptography;
using Hort.Core;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;
using Hort.Storage;

namespace Hort.Repository.Maintenance;

public sealed partial class Pruner
{
    /// <summary>
    /// Phase 1: writes the repacked packs, then the deletion record, then the index that supersedes every index file
    /// read. Until the record is durable nothing has changed for anyone; after it, writers leave the announced packs out.
    /// </summary>
    private async Task<DeletionRecord> AnnounceAsync(Inventory inventory, PrunePlan plan, PruneReport report, CancellationToken ct)
    {
        var written = await RepackAsync(plan.Repack, ct).ConfigureAwait(false);
        report.PacksWritten = written.Count;

        var newIndex = new IndexFile([.. inventory.IndexFiles.Keys], [.. plan.Keep, .. written]).Seal(_repository.Codec.Cipher);
        var newIndexId = new ObjectId(SHA256.HashData(newIndex));
        var candidates = plan.Delete.Concat(plan.Repack.Select(static r => r.Pack)).Select(static p => (p.PackId, p.Length)).ToList();
        var created = _repository.Time.GetUtcNow();
        var stored = DeletionRecord.Seal(_repository.Codec.Cipher, created, _options.Owner.Hostname, newIndexId, candidates, inventory.IndexFiles.Keys);
        var recordId = await _repository.PutObjectAsync(BlobKind.Deletion, stored, ct).ConfigureAwait(false);
        await _repository.PutObjectAsync(BlobKind.Index, newIndex, ct).ConfigureAwait(false);
        return new DeletionRecord(recordId, created, _options.Owner.Hostname, newIndexId, candidates, [.. inventory.IndexFiles.Keys]);
    }

    /// <summary>Copies the used blobs of the given packs, verified, into new packs; returns them once durable.</summary>
    private async Task<List<IndexedPack>> RepackAsync(List<(IndexedPack Pack, List<PackEntry> Used)> repack, CancellationToken ct)
    {
        var written = new List<IndexedPack>();
        var packSize = _repository.Config.PackSize;
        PackWriter? writer = null;
        try
        {
            foreach (var (pack, used) in repack)
            {
                var name = BlobName.For(BlobKind.Pack, pack.PackId);
                foreach (var entry in used.OrderBy(static e => e.Offset))
                {
                    var envelope = new byte[entry.StoredLength];
                    try
                    {
                        await PackReader.ReadExactlyAsync(Store, name, entry.Offset, envelope, ct).ConfigureAwait(false);
                        _repository.Codec.Open(envelope, entry, pack.PackId);
                    }
                    catch (RepositoryCorruptException e)
                    {
                        throw new PruneRefusedException($"{e.Message}; run 'hort check --read-data'", e);
                    }

                    writer ??= new PackWriter(_repository.Codec, packSize + BlobCodec.MaxStoredLength(_repository.Config.Chunker.MaxSize));
                    writer.AddSealed(entry.Type, entry.Id, entry.Compression, entry.RawLength, envelope);
                    if (writer.Length >= packSize)
                    {
                        written.Add(await UploadAsync(writer, ct).ConfigureAwait(false));
                        writer.Dispose();
                        writer = null;
                    }
                }
            }

            if (writer is not null)
            {
                written.Add(await UploadAsync(writer, ct).ConfigureAwait(false));
            }
        }
        finally
        {
            writer?.Dispose();
        }

        return written;
    }

    private async Task<IndexedPack> UploadAsync(PackWriter writer, CancellationToken ct)
    {
        using var finished = writer.Finish();
        await Store.PutAsync(BlobName.For(BlobKind.Pack, finished.Id), finished.Content, ct).ConfigureAwait(false);
        return new IndexedPack(finished.Id, finished.Length, finished.Entries);
    }

    /// <summary>
    /// Phase 2 for one record: returns false (deferred) while a backup that may not have seen the record holds a
    /// lease; otherwise checks again what the snapshots present now need, keeps (rescues) announced packs that are
    /// still needed or listed by an index file written meanwhile, and deletes the rest: first the superseded index
    /// files, then the packs, then the record. Every step can be repeated after a crash.
    /// <paramref name="verified"/> holds snapshots already shown in this run to need none of the announced packs.
    /// </summary>
    private async Task<bool> FinishAsync(DeletionRecord record, HashSet<ObjectId> verified, PruneReport report, CancellationToken ct)
    {
        var recordName = BlobName.For(BlobKind.Deletion, record.Id);
        if (await Store.StatAsync(BlobName.For(BlobKind.Index, record.NewIndex), ct).ConfigureAwait(false) is null)
        {
            // Interrupted before its index was written: nothing was superseded, so the announcement is simply dropped.
            await Store.DeleteAsync(recordName, ct).ConfigureAwait(false);
            report.Notes.Add($"dropped {recordName}: the prune that wrote it stopped before it wrote its index");
            return true;
        }

        var now = _repository.Time.GetUtcNow();
        var waiting = (await RepositoryLease.ListAsync(_repository, BlobKind.Lease, ct).ConfigureAwait(false))
            .Where(l => !l.SeenDeletions.Contains(record.Id) && !l.IsOver(now, _options.Leases))
            .ToList();
        if (waiting.Count > 0)
        {
            report.WaitingFor.AddRange(waiting.Select(static l => l.ToString()));
            return false;
        }

        var superseded = record.Indexes.ToHashSet();
        var announced = record.Packs.ToDictionary(static p => p.PackId, static p => p.Length);
        var stored = await ListPacksAsync(ct).ConfigureAwait(false);

        var files = new Dictionary<ObjectId, IndexFile>();
        await foreach (var (indexId, _) in _repository.ListObjectsAsync(BlobKind.Index, ct).ConfigureAwait(false))
        {
            if (!superseded.Contains(indexId))
            {
                files[indexId] = await ReadIndexStrictAsync(indexId, ct).ConfigureAwait(false);
            }
        }

        var safe = new BlobIndex();
        var listedByLive = new HashSet<ObjectId>();
        var supersededNow = Superseded(files);
        foreach (var (indexId, file) in files)
        {
            if (supersededNow.Contains(indexId))
            {
                continue;
            }

            foreach (var pack in file.Packs)
            {
                CheckStored(stored, pack, $"index/{indexId}");
                listedByLive.Add(pack.PackId);
                safe.AddPack(pack.PackId, pack.Length, pack.Entries);
            }
        }

        var fallback = new BlobIndex();
        var headers = new Dictionary<ObjectId, IReadOnlyList<PackEntry>>();
        foreach (var (packId, length) in stored)
        {
            if (listedByLive.Contains(packId))
            {
                continue;
            }

            var entries = await ReadHeaderStrictAsync(packId, length, ct).ConfigureAwait(false);
            headers[packId] = entries;
            (announced.ContainsKey(packId) ? fallback : safe).AddPack(packId, length, entries);
        }

        var walker = new UsageWalker(_repository, safe, fallback);
        var used = new HashSet<ObjectId>();
        foreach (var snapshot in await _repository.ListSnapshotsAsync(ct).ConfigureAwait(false))
        {
            if (!verified.Contains(snapshot.Id))
            {
                await walker.WalkAsync(snapshot, used, ct).ConfigureAwait(false);
            }
        }

        // Still needed, or listed by an index written after the announcement: kept, and indexed again if need be.
        var rescued = walker.Rescued.Union(announced.Keys.Where(listedByLive.Contains)).ToHashSet();
        var reindex = walker.Rescued.Where(p => !listedByLive.Contains(p))
            .Select(p => new IndexedPack(p, stored[p], headers[p])).ToList();
        if (reindex.Count > 0)
        {
            await _repository.WriteIndexAsync(reindex, ct).ConfigureAwait(false);
        }

        report.PacksRescued += rescued.Count;
        foreach (var indexId in record.Indexes)
        {
            await Store.DeleteAsync(BlobName.For(BlobKind.Index, indexId), ct).ConfigureAwait(false);
            report.IndexFilesDeleted++;
        }

        foreach (var (packId, length) in record.Packs)
        {
            if (!rescued.Contains(packId) && stored.ContainsKey(packId))
            {
                await Store.DeleteAsync(BlobName.For(BlobKind.Pack, packId), ct).ConfigureAwait(false);
                report.PacksDeleted++;
                report.BytesFreed += length;
            }
        }

        await Store.DeleteAsync(recordName, ct).ConfigureAwait(false);
        return true;
    }
}
