using Hort.Core;
using Hort.Repository.Checking;
using Hort.Repository.Snapshots;
using Hort.Storage;

namespace Hort.Repository.Repair;

public sealed partial class Repairer
{
    /// <summary>
    /// Writes a damage record for every snapshot that lacks data under the repaired index, replaces records that
    /// changed, and removes records of snapshots that are whole again (a later backup re-uploaded the data) or gone.
    /// </summary>
    private async Task MarkSnapshotsAsync(RepairReport report, bool dryRun, CancellationToken ct)
    {
        var (records, unreadable) = await _repository.LoadDamageRecordsAsync(ct).ConfigureAwait(false);
        var finder = new SnapshotDamage(_repository);
        var existing = new HashSet<ObjectId>();
        var list = new List<(ObjectId Id, string Name)>();
        await foreach (var (id, info) in _repository.ListObjectsAsync(BlobKind.Snapshot, ct).ConfigureAwait(false))
        {
            list.Add((id, info.Name.ToString()));
        }

        for (var i = 0; i < list.Count; i++)
        {
            _progress?.Report(new CheckProgress("snapshots", i, list.Count));
            var (id, name) = list[i];
            StoredSnapshot snapshot;
            try
            {
                snapshot = new StoredSnapshot(id, await _repository.LoadSnapshotAsync(id, ct).ConfigureAwait(false));
            }
            catch (RepositoryCorruptException e)
            {
                // Nothing can be read from it; keep its bytes aside so that check is clean and nothing is lost.
                report.Actions.Add(new RepairAction("quarantine", name, $"moved to {BlobName.For(BlobKind.Quarantine, id)} ({e.Problem}; the snapshot cannot be listed or restored)"));
                if (!dryRun)
                {
                    await MoveToQuarantineAsync(BlobName.For(BlobKind.Snapshot, id), id, null, ct).ConfigureAwait(false);
                }

                continue;
            }
            catch (HortException e)
            {
                report.Warnings.Add($"{name}: {e.Message}; left as it is");
                continue;
            }

            existing.Add(id);
            var loss = await finder.FindAsync(snapshot, ct).ConfigureAwait(false);
            records.TryGetValue(id, out var old);
            var label = $"snapshot {id.ToShortString()}";
            if (loss is null)
            {
                if (old is not null || unreadable.Exists(u => u.Name.EndsWith(id.ToString(), StringComparison.Ordinal)))
                {
                    report.Actions.Add(new RepairAction("unmark-snapshot", label, "all its data is present again; its damage record was removed"));
                    if (!dryRun)
                    {
                        await _repository.RemoveDamageRecordAsync(id, ct).ConfigureAwait(false);
                    }
                }

                continue;
            }

            report.DamagedSnapshots.Add(loss);
            if (old is not null && old.MissingBlobs.SequenceEqual(loss.MissingBlobs) && old.Paths.SequenceEqual(loss.Paths))
            {
                continue;
            }

            report.Actions.Add(new RepairAction(old is null ? "mark-snapshot" : "update-mark", label,
                $"marked damaged: {loss.Paths.Count} path(s) cannot be restored intact ({loss.MissingBlobs.Count} blob(s) lost)") { Paths = loss.Paths });
            if (!dryRun)
            {
                await _repository.WriteDamageRecordAsync(
                    new DamageRecord { Snapshot = id, Time = _repository.Time.GetUtcNow(), MissingBlobs = loss.MissingBlobs, Paths = loss.Paths }, ct).ConfigureAwait(false);
            }
        }

        foreach (var id in records.Keys.Where(id => !existing.Contains(id)))
        {
            report.Actions.Add(new RepairAction("unmark-snapshot", $"damage/{id}", "its snapshot no longer exists; the record was removed"));
            if (!dryRun)
            {
                await _repository.RemoveDamageRecordAsync(id, ct).ConfigureAwait(false);
            }
        }
    }
}
