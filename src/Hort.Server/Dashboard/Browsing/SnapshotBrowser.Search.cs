using Hort.Core;
using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Trees;

namespace Hort.Server.Dashboard.Browsing;

/// <summary>An entry whose name matched a search, in the newest searched snapshot that holds it at that path.</summary>
public sealed record SearchHit(string SnapshotId, DateTimeOffset SnapshotTime, FolderEntry Entry);

/// <summary>The first hits of a search; <see cref="More"/> when there were more than were returned.</summary>
public sealed record SearchResults(IReadOnlyList<SearchHit> Hits, bool More);

public sealed partial class SnapshotBrowser
{
    /// <summary>Most hits one search returns.</summary>
    public const int MaxSearchHits = 500;

    /// <summary>
    /// Entries whose name matches <paramref name="query"/> (see <see cref="NamePattern"/>) in one snapshot of the PC, or
    /// in all of them when <paramref name="snapshotId"/> is null: then each path is listed once, from the newest
    /// snapshot holding it, and a folder met again unchanged at the same path is not walked again.
    /// At most <paramref name="limit"/> hits, in depth-first name order within each snapshot.
    /// </summary>
    public async Task<SearchResults> SearchAsync(string pcId, string? snapshotId, string? query, int limit, CancellationToken ct)
    {
        var pattern = NamePattern.Parse(query);
        limit = Math.Clamp(limit, 1, MaxSearchHits);
        IReadOnlyList<SnapshotDto> snapshots = snapshotId is null
            ? await SnapshotsAsync(pcId, ct).ConfigureAwait(false)
            : [await SnapshotAsync(pcId, snapshotId, ct).ConfigureAwait(false)];
        var search = new Search(repository, pattern, limit);
        foreach (var snapshot in snapshots)
        {
            if (!ObjectId.TryParse(snapshot.Tree, out var root)) continue;
            if (!await search.WalkAsync(snapshot, root, "/", ct).ConfigureAwait(false)) break;
        }

        return new SearchResults(search.Hits, search.More);
    }

    private sealed class Search(HortRepository repository, NamePattern pattern, int limit)
    {
        private readonly HashSet<string> _paths = new(StringComparer.Ordinal);
        private readonly HashSet<(ObjectId Tree, string Path)> _walked = [];

        public List<SearchHit> Hits { get; } = [];

        public bool More { get; private set; }

        /// <summary>False once the limit is passed (the search stops).</summary>
        public async Task<bool> WalkAsync(SnapshotDto snapshot, ObjectId treeId, string folder, CancellationToken ct)
        {
            // The same tree at the same path holds the same matches, already found in a newer snapshot.
            if (!_walked.Add((treeId, folder))) return true;
            var tree = await repository.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
            foreach (var node in tree.Nodes)
            {
                var path = Child(folder, node.DisplayName);
                if (pattern.IsMatch(node.DisplayName) && _paths.Add(path))
                {
                    if (Hits.Count == limit)
                    {
                        More = true;
                        return false;
                    }

                    Hits.Add(new SearchHit(snapshot.Id, snapshot.Time, ToEntry(path, node)));
                }

                if (node.Type == NodeType.Directory && !await WalkAsync(snapshot, node.Subtree, path, ct).ConfigureAwait(false)) return false;
            }

            return true;
        }
    }
}
