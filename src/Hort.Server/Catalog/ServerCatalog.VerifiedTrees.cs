using Dapper;

namespace Hort.Server.Catalog;

public sealed partial class ServerCatalog
{
    /// <summary>
    /// Which of <paramref name="treeIds"/> (hex) are in the PC's verified set — trees whose whole subtree was checked
    /// durable and in the PC's known set when one of its snapshots was committed — with the number of files below each.
    /// </summary>
    public async Task<Dictionary<string, long>> VerifiedTreesAsync(string pcId, IReadOnlyCollection<string> treeIds, CancellationToken cancellationToken)
    {
        var verified = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        foreach (var batch in treeIds.Distinct().Chunk(BatchSize))
        {
            var sql = IsPostgres
                ? "SELECT tree_id, files FROM pc_trees WHERE pc_id = @pcId AND tree_id = ANY(@batch)"
                : "SELECT tree_id, files FROM pc_trees WHERE pc_id = @pcId AND tree_id IN @batch";
            foreach (var (treeId, files) in await c.QueryAsync<(string, long)>(sql, new { pcId, batch }).ConfigureAwait(false))
            {
                verified[treeId] = files;
            }
        }

        return verified;
    }

    /// <summary>Adds trees checked in the PC's committed snapshot <paramref name="snapshotId"/> to its verified set.</summary>
    public async Task AddVerifiedTreesAsync(string pcId, string snapshotId, IEnumerable<(string TreeId, long Files)> trees, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        foreach (var batch in trees.Chunk(BatchSize))
        {
            await using var t = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await c.ExecuteAsync("INSERT INTO pc_trees (pc_id, tree_id, snapshot_id, files) VALUES (@pcId, @treeId, @snapshotId, @files) ON CONFLICT DO NOTHING",
                batch.Select(tree => new { pcId, treeId = tree.TreeId, snapshotId, files = tree.Files }), t).ConfigureAwait(false);
            await t.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Drops the verified trees of a PC that were checked in a snapshot the catalog no longer has (forgotten): once
    /// pruned, their subtrees may be gone, so they are checked again the next time a snapshot uses them.
    /// </summary>
    public async Task DropStaleVerifiedTreesAsync(string pcId, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            "DELETE FROM pc_trees WHERE pc_id = @pcId AND snapshot_id NOT IN (SELECT id FROM snapshots WHERE pc_id = @pcId)", new { pcId }).ConfigureAwait(false);
    }

    /// <summary>
    /// Empties every verified set. hortd does this at start: a prune run while it was down, or whose deletion it
    /// acknowledged at this start, may have removed what a verified tree names.
    /// </summary>
    public async Task ClearVerifiedTreesAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("DELETE FROM pc_trees").ConfigureAwait(false);
    }
}
