using Hort.Core;
using Hort.Repository.Packs;
using Hort.Storage;

namespace Hort.Repository.Checking;

public sealed partial class Checker
{
    private async Task ReadPacksAsync(CheckReport report, Dictionary<ObjectId, long> stored, IReadOnlyList<ObjectId> selected, CancellationToken ct)
    {
        var done = 0;
        foreach (var packId in selected)
        {
            _progress?.Report(new CheckProgress("packs", done++, selected.Count));
            if (!stored.ContainsKey(packId))
            {
                continue;
            }

            var name = BlobName.For(BlobKind.Pack, packId);
            byte[] content;
            try
            {
                content = await _repository.Store.GetAsync(name, ct).ConfigureAwait(false);
            }
            catch (BlobNotFoundException)
            {
                continue; // deleted since listing; reported by the structure check if indexed
            }

            report.PacksRead++;
            IReadOnlyList<PackEntry> header;
            try
            {
                header = PackReader.ParseWholePack(_repository.Codec.Cipher, packId, content);
            }
            catch (RepositoryCorruptException e)
            {
                // The pack as a whole is damaged, but most of its blobs may be intact: verify each one the index
                // points at, so that only the data that is really lost is reported as lost.
                var problem = AddProblem(report, name.ToString(), e.Problem);
                foreach (var entry in IndexedBlobsOf(packId))
                {
                    if (!VerifyBlob(report, packId, content, entry))
                    {
                        problem.Blobs.Add(entry.Id);
                    }
                }

                problem.Blobs.IntersectWith(report.DamagedBlobs);
                continue;
            }

            foreach (var entry in header)
            {
                VerifyBlob(report, packId, content, entry);
            }
        }

        _progress?.Report(new CheckProgress("packs", done, selected.Count));
    }

    /// <summary>Opens one blob of a pack in memory; reports it and returns false when it does not verify.</summary>
    private bool VerifyBlob(CheckReport report, ObjectId packId, byte[] content, PackEntry entry)
    {
        try
        {
            if ((long)entry.Offset + entry.StoredLength > content.Length)
            {
                throw new RepositoryCorruptException($"blob {entry.Id} in pack {packId}", "lies beyond the end of the pack");
            }

            _repository.Codec.Open(content.AsSpan((int)entry.Offset, (int)entry.StoredLength), entry, packId);
            report.BlobsVerified++;
            return true;
        }
        catch (RepositoryCorruptException e)
        {
            // Only the copy the index points at is read by restore; a damaged spare copy loses nothing.
            var indexed = _repository.Index.TryGet(entry.Id, out var loc) && loc.PackId == packId;
            var description = e.Problem;
            if (!indexed)
            {
                description += loc.PackId.IsEmpty ? "" : $" (a spare copy: the index uses the one in pack {loc.PackId})";
            }
            else if (_otherCopies.TryGetValue(entry.Id, out var others))
            {
                description += $"; another copy is stored in pack {others[0]}: 'hort repair' makes the index use it";
            }

            if (!report.DamagedBlobs.Contains(entry.Id) || !indexed)
            {
                AddProblem(report, e.ObjectName, description, indexed ? [entry.Id] : null);
            }

            return false;
        }
    }
}
