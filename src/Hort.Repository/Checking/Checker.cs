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
/// <see cref="CheckOptions.ReadData"/> (or a <see cref="CheckOptions.ReadDataSubset"/>) also the stored bytes of all
/// (or some) packs. Every problem names the damaged object and the snapshots and paths it affects.
/// Check only reads; it never changes the repository.
/// </summary>
public sealed partial class Checker
{
    private readonly HortRepository _repository;
    private readonly IProgress<CheckProgress>? _progress;

    /// <summary>Blob → packs holding another copy than the one the index uses (found while loading index files).</summary>
    private readonly Dictionary<ObjectId, List<ObjectId>> _otherCopies = [];

    /// <summary>Tree → the entries whose names restore would refuse ('/', NUL, ".", "..").</summary>
    private readonly Dictionary<ObjectId, List<TreeNode>> _badNames = [];

    private Dictionary<ObjectId, List<PackEntry>>? _blobsByPack;

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
            await ReadPacksAsync(report, packs, [.. packs.Keys], cancellationToken).ConfigureAwait(false);
        }
        else if (options.ReadDataSubset is { } subset)
        {
            var selected = subset.Select(packs.Keys);
            await ReadPacksAsync(report, packs, selected, cancellationToken).ConfigureAwait(false);
            if (subset.Rotates && selected.Count > 0)
            {
                report.NextSubsetCursor = selected[^1];
            }
        }

        var mapping = await MapDamageAsync(report, snapshots, cancellationToken).ConfigureAwait(false);
        await MarkKnownDamageAsync(report, snapshots, mapping, cancellationToken).ConfigureAwait(false);
        return report;
    }

    private static CheckProblem AddProblem(CheckReport report, string obj, string description, IEnumerable<ObjectId>? blobs = null)
    {
        var problem = new CheckProblem(obj, description);
        if (blobs is not null)
        {
            foreach (var id in blobs)
            {
                problem.Blobs.Add(id);
                report.DamagedBlobs.Add(id);
            }
        }

        report.Problems.Add(problem);
        return problem;
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
                AddProblem(report, info.Name.ToString(), e.Problem);
            }
            catch (HortException e)
            {
                AddProblem(report, info.Name.ToString(), e.Message);
            }
        }
    }

    private Task CheckIndexesAsync(CheckReport report, CancellationToken ct) =>
        _repository.LoadIndexAsync(
            beforeAdd: pack =>
            {
                foreach (var entry in pack.Entries)
                {
                    if (_repository.Index.TryGet(entry.Id, out var location) && location.PackId != pack.PackId)
                    {
                        if (!_otherCopies.TryGetValue(entry.Id, out var others))
                        {
                            _otherCopies[entry.Id] = others = [];
                        }

                        others.Add(pack.PackId);
                    }
                }
            },
            onDamaged: (name, e) => AddProblem(report, name.ToString(), e.Problem + " (index files are redundant: 'hort repair' rebuilds the index from the packs)"),
            onRestart: () =>
            {
                _otherCopies.Clear();
                report.Problems.RemoveAll(p => p.Object.StartsWith("index/", StringComparison.Ordinal));
            },
            ct);

    private async Task<Dictionary<ObjectId, long>> CheckPackListAsync(CheckReport report, CancellationToken ct)
    {
        var stored = new Dictionary<ObjectId, long>();
        await foreach (var (objectId, info) in _repository.ListObjectsAsync(BlobKind.Pack, ct).ConfigureAwait(false))
        {
            stored[objectId] = info.Length;
        }

        report.PacksTotal = stored.Count;
        foreach (var (packId, length) in _repository.Index.Packs())
        {
            var name = BlobName.For(BlobKind.Pack, packId).ToString();
            if (!stored.TryGetValue(packId, out var actual))
            {
                AddProblem(report, name, "pack is missing", IndexedBlobsOf(packId).Select(e => e.Id));
            }
            else if (actual < length)
            {
                var cut = IndexedBlobsOf(packId).Where(e => e.Offset + (long)e.StoredLength > actual).Select(e => e.Id).ToList();
                AddProblem(report, name, $"pack is {actual} bytes but the index says {length} (truncated): its header and {cut.Count} blob(s) the index places past its end are lost", cut);
            }
            else if (actual > length)
            {
                AddProblem(report, name, $"pack is {actual} bytes but the index says {length} (extended or replaced); its indexed blobs are verified only by reading data");
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
            AddProblem(report, BlobName.For(BlobKind.Pack, packId).ToString(), "not listed by any index and its header cannot be read: " + problem);
        }

        return stored;
    }

    /// <summary>The entries the index uses from <paramref name="packId"/> (a blob stored twice counts in one pack only).</summary>
    private List<PackEntry> IndexedBlobsOf(ObjectId packId)
    {
        if (_blobsByPack is null)
        {
            _blobsByPack = [];
            foreach (var blob in _repository.Index.Blobs())
            {
                if (!_blobsByPack.TryGetValue(blob.PackId, out var list))
                {
                    _blobsByPack[blob.PackId] = list = [];
                }

                list.Add(blob.Entry);
            }
        }

        return _blobsByPack.TryGetValue(packId, out var entries) ? entries : [];
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
                AddProblem(report, info.Name.ToString(), (e is RepositoryCorruptException c ? c.Problem : e.Message) + "; this snapshot cannot be listed or restored");
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
                    if (!report.DamagedBlobs.Contains(treeId))
                    {
                        AddProblem(report, $"tree {treeId}", e is RepositoryCorruptException c ? c.Problem : e.Message, [treeId]);
                    }

                    continue;
                }

                report.TreesChecked++;
                CheckNames(report, treeId, tree);
                foreach (var node in tree.Nodes)
                {
                    if (node.Type == NodeType.Directory)
                    {
                        stack.Push(node.Subtree);
                    }

                    foreach (var chunk in node.Content)
                    {
                        if ((!_repository.Index.TryGet(chunk, out var loc) || loc.Entry.Type != BlobType.Data) && !report.DamagedBlobs.Contains(chunk))
                        {
                            AddProblem(report, $"data blob {chunk}", "missing: no index lists it", [chunk]);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Names a writer never stores and restore refuses: a damaged or forged tree.</summary>
    private void CheckNames(CheckReport report, ObjectId treeId, Tree tree)
    {
        List<TreeNode>? bad = null;
        foreach (var node in tree.Nodes)
        {
            var name = node.Name.AsSpan();
            if (name.SequenceEqual("."u8) || name.SequenceEqual(".."u8) || name.IndexOfAny((byte)'/', (byte)0) >= 0)
            {
                (bad ??= []).Add(node);
            }
        }

        if (bad is not null)
        {
            _badNames[treeId] = bad;
            var names = string.Join(", ", bad.Select(n => "\"" + n.DisplayName.Replace("\0", "\\x00", StringComparison.Ordinal) + "\""));
            var problem = AddProblem(report, $"tree {treeId}", $"holds entries whose names are not allowed ({names}); restore skips them");
            problem.Blobs.Add(treeId);
        }
    }
}
