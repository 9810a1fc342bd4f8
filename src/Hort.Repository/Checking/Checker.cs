using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Repository.Packs;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Repository.Checking;

/// <summary>
/// Verifies a repository: keys, indexes, packs, snapshots and every tree they reach; with
/// <see cref="CheckOptions.ReadData"/> also every stored byte. Every damaged object is named together with
/// the snapshots and paths it affects. Check only reads; it never changes the repository.
/// </summary>
public sealed class Checker
{
    private readonly HortRepository _repository;
    private readonly IProgress<CheckProgress>? _progress;

    public Checker(HortRepository repository, IProgress<CheckProgress>? progress = null)
    {
        _repository = repository;
        _progress = progress;
    }

    /// <summary>Runs the check; the repository's index is (re)loaded as part of it.</summary>
    public async Task<CheckReport> RunAsync(CheckOptions options, CancellationToken cancellationToken = default)
    {
        var report = new CheckReport();
        await CheckKeysAsync(report, cancellationToken).ConfigureAwait(false);
        await CheckIndexesAsync(report, cancellationToken).ConfigureAwait(false);
        var packs = await CheckPackListAsync(report, cancellationToken).ConfigureAwait(false);
        var snapshots = await LoadSnapshotsAsync(report, cancellationToken).ConfigureAwait(false);
        await WalkTreesAsync(report, snapshots, cancellationToken).ConfigureAwait(false);
        if (options.ReadData)
        {
            await ReadAllPacksAsync(report, packs, cancellationToken).ConfigureAwait(false);
        }

        if (report.DamagedBlobs.Count > 0)
        {
            await MapDamageAsync(report, snapshots, cancellationToken).ConfigureAwait(false);
        }

        return report;
    }

    private async Task CheckKeysAsync(CheckReport report, CancellationToken ct)
    {
        await foreach (var (objectId, info) in _repository.ListObjectsAsync(BlobKind.Key, ct).ConfigureAwait(false))
        {
            try
            {
                KeyFile.Parse(await _repository.GetVerifiedAsync(BlobKind.Key, objectId, ct).ConfigureAwait(false), info.Name.ToString());
            }
            catch (RepositoryCorruptException e)
            {
                report.Errors.Add(new CheckProblem(info.Name.ToString(), e.Problem));
            }
            catch (HortException e)
            {
                report.Errors.Add(new CheckProblem(info.Name.ToString(), e.Message));
            }
        }
    }

    private async Task CheckIndexesAsync(CheckReport report, CancellationToken ct)
    {
        await foreach (var (objectId, info) in _repository.ListObjectsAsync(BlobKind.Index, ct).ConfigureAwait(false))
        {
            try
            {
                var file = await _repository.ReadIndexFileAsync(objectId, ct).ConfigureAwait(false);
                foreach (var pack in file.Packs)
                {
                    _repository.Index.AddPack(pack.PackId, pack.Length, pack.Entries);
                }
            }
            catch (RepositoryCorruptException e)
            {
                report.Errors.Add(new CheckProblem(info.Name.ToString(), e.Problem));
            }
        }
    }

    private async Task<Dictionary<ObjectId, long>> CheckPackListAsync(CheckReport report, CancellationToken ct)
    {
        var stored = new Dictionary<ObjectId, long>();
        await foreach (var (objectId, info) in _repository.ListObjectsAsync(BlobKind.Pack, ct).ConfigureAwait(false))
        {
            stored[objectId] = info.Length;
        }

        foreach (var (packId, length) in _repository.Index.Packs())
        {
            var name = BlobName.For(BlobKind.Pack, packId).ToString();
            if (!stored.TryGetValue(packId, out var actual))
            {
                report.Errors.Add(new CheckProblem(name, "pack is missing"));
                MarkPackDamaged(report, packId);
            }
            else if (actual != length)
            {
                report.Errors.Add(new CheckProblem(name, $"pack is {actual} bytes but the index says {length} (truncated or extended)"));
                MarkPackDamaged(report, packId);
            }
        }

        // Not an error: an interrupted backup leaves such packs, and readers use them through their headers.
        var unindexed = await _repository.AdoptAsync(stored, persist: false, ct).ConfigureAwait(false);
        foreach (var packId in unindexed.Adopted)
        {
            report.Notes.Add($"{BlobName.For(BlobKind.Pack, packId)} is not listed by any index (left by an interrupted backup, or its index file is lost); its header is intact and the next backup indexes it");
        }

        foreach (var (packId, problem) in unindexed.Damaged)
        {
            report.Errors.Add(new CheckProblem(BlobName.For(BlobKind.Pack, packId).ToString(), "not listed by any index and its header cannot be read: " + problem));
        }

        return stored;
    }

    private void MarkPackDamaged(CheckReport report, ObjectId packId)
    {
        foreach (var blob in _repository.Index.Blobs())
        {
            if (blob.PackId == packId)
            {
                report.DamagedBlobs.Add(blob.Entry.Id);
            }
        }
    }

    private async Task<List<StoredSnapshot>> LoadSnapshotsAsync(CheckReport report, CancellationToken ct)
    {
        var list = new List<StoredSnapshot>();
        await foreach (var (objectId, info) in _repository.ListObjectsAsync(BlobKind.Snapshot, ct).ConfigureAwait(false))
        {
            var id = objectId;
            try
            {
                list.Add(new StoredSnapshot(id, await _repository.LoadSnapshotAsync(id, ct).ConfigureAwait(false)));
            }
            catch (HortException e)
            {
                report.Errors.Add(new CheckProblem(info.Name.ToString(), e is RepositoryCorruptException c ? c.Problem : e.Message));
            }
        }

        report.SnapshotsChecked = list.Count;
        return list;
    }

    private async Task WalkTreesAsync(CheckReport report, List<StoredSnapshot> snapshots, CancellationToken ct)
    {
        var visited = new HashSet<ObjectId>();
        var done = 0;
        foreach (var s in snapshots)
        {
            _progress?.Report(new CheckProgress("trees", done++, snapshots.Count));
            var stack = new Stack<ObjectId>();
            stack.Push(s.Snapshot.Tree);
            while (stack.Count > 0)
            {
                var treeId = stack.Pop();
                if (!visited.Add(treeId))
                {
                    continue;
                }

                Tree tree;
                try
                {
                    tree = await _repository.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
                }
                catch (HortException e)
                {
                    report.DamagedBlobs.Add(treeId);
                    report.Errors.Add(new CheckProblem($"tree {treeId}", e is RepositoryCorruptException c ? c.Problem : e.Message));
                    continue;
                }

                report.TreesChecked++;
                foreach (var node in tree.Nodes)
                {
                    if (node.Type == NodeType.Directory)
                    {
                        stack.Push(node.Subtree);
                    }

                    foreach (var chunk in node.Content)
                    {
                        if (!_repository.Index.TryGet(chunk, out var loc) || loc.Entry.Type != BlobType.Data)
                        {
                            if (report.DamagedBlobs.Add(chunk))
                            {
                                report.Errors.Add(new CheckProblem($"data blob {chunk}", "missing: no index lists it"));
                            }
                        }
                    }
                }
            }
        }
    }

    private async Task ReadAllPacksAsync(CheckReport report, Dictionary<ObjectId, long> packs, CancellationToken ct)
    {
        var done = 0;
        foreach (var (packId, _) in packs)
        {
            _progress?.Report(new CheckProgress("packs", done++, packs.Count));
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
                report.Errors.Add(new CheckProblem(name.ToString(), e.Problem));
                VerifyIndexedBlobs(report, packId, content);
                continue;
            }

            foreach (var entry in header)
            {
                VerifyBlob(report, packId, content, entry);
            }
        }

        _progress?.Report(new CheckProgress("packs", done, packs.Count));
    }

    private void VerifyIndexedBlobs(CheckReport report, ObjectId packId, byte[] content)
    {
        foreach (var blob in _repository.Index.Blobs())
        {
            if (blob.PackId == packId)
            {
                VerifyBlob(report, packId, content, blob.Entry);
            }
        }
    }

    private void VerifyBlob(CheckReport report, ObjectId packId, byte[] content, PackEntry entry)
    {
        try
        {
            if ((long)entry.Offset + entry.StoredLength > content.Length)
            {
                throw new RepositoryCorruptException($"blob {entry.Id} in pack {packId}", "lies beyond the end of the pack");
            }

            _repository.Codec.Open(content.AsSpan((int)entry.Offset, (int)entry.StoredLength), entry, packId);
            report.BlobsVerified++;
        }
        catch (RepositoryCorruptException e)
        {
            // Only a blob whose every copy is bad is lost; the index points at one copy.
            if (_repository.Index.TryGet(entry.Id, out var loc) && loc.PackId == packId)
            {
                report.DamagedBlobs.Add(entry.Id);
            }

            report.Errors.Add(new CheckProblem(e.ObjectName, e.Problem));
        }
    }

    private async Task MapDamageAsync(CheckReport report, List<StoredSnapshot> snapshots, CancellationToken ct)
    {
        var damaged = report.DamagedBlobs;
        var summary = new CheckProblem("damage summary", $"{damaged.Count} blob(s) missing or damaged; these snapshot paths cannot be restored intact:");
        foreach (var s in snapshots)
        {
            await MapTreeAsync(s, s.Snapshot.Tree, "", damaged, summary, ct).ConfigureAwait(false);
        }

        report.Errors.Add(summary);
    }

    private async Task MapTreeAsync(StoredSnapshot s, ObjectId treeId, string path, HashSet<ObjectId> damaged, CheckProblem summary, CancellationToken ct)
    {
        var label = $"snapshot {s.Id.ToShortString()}";
        if (damaged.Contains(treeId))
        {
            summary.Affected.Add($"{label}: {(path.Length == 0 ? "/" : path)} (directory listing lost)");
            return;
        }

        Tree tree;
        try
        {
            tree = await _repository.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
        }
        catch (HortException)
        {
            summary.Affected.Add($"{label}: {(path.Length == 0 ? "/" : path)} (directory listing lost)");
            return;
        }

        foreach (var node in tree.Nodes)
        {
            var childPath = path + "/" + node.DisplayName;
            if (node.Type == NodeType.Directory)
            {
                await MapTreeAsync(s, node.Subtree, childPath, damaged, summary, ct).ConfigureAwait(false);
            }
            else if (node.Content.Any(damaged.Contains))
            {
                summary.Affected.Add($"{label}: {childPath}");
            }
        }
    }
}
