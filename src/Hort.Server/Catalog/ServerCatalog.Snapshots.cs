using System.Text.Json;
using Dapper;
using Hort.Protocol;

namespace Hort.Server.Catalog;

public sealed partial class ServerCatalog
{
    private const int BatchSize = 500;

    /// <summary>Records a committed snapshot (idempotent).</summary>
    public async Task AddSnapshotAsync(SnapshotDto s, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            "INSERT INTO snapshots (id, pc_id, time, hostname, paths, tree, files, total_bytes) VALUES (@id, @pcId, @time, @hostname, @paths, @tree, @files, @totalBytes) ON CONFLICT (id) DO NOTHING",
            new
            {
                id = s.Id, pcId = s.PcId, time = Ms(s.Time), hostname = s.Hostname,
                paths = JsonSerializer.Serialize(s.Paths, ProtocolJson.Default.IReadOnlyListString), tree = s.Tree, files = s.Files, totalBytes = s.TotalBytes,
            }).ConfigureAwait(false);
    }

    /// <summary>The PC's snapshots, newest first.</summary>
    public async Task<IReadOnlyList<SnapshotDto>> ListSnapshotsAsync(string pcId, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<SnapshotRow>(
            "SELECT id, pc_id, time, hostname, paths, tree, files, total_bytes FROM snapshots WHERE pc_id = @pcId ORDER BY time DESC, id", new { pcId }).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToDto())];
    }

    public async Task<SnapshotDto?> GetSnapshotAsync(string id, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<SnapshotRow>(
            "SELECT id, pc_id, time, hostname, paths, tree, files, total_bytes FROM snapshots WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToDto();
    }

    /// <summary>The time of each PC's newest snapshot.</summary>
    public async Task<Dictionary<string, DateTimeOffset>> LastSnapshotTimesAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<(string PcId, long Time)>("SELECT pc_id, MAX(time) FROM snapshots GROUP BY pc_id").ConfigureAwait(false);
        return rows.ToDictionary(r => r.PcId, r => Time(r.Time), StringComparer.Ordinal);
    }

    public async Task<(long Pcs, long Snapshots)> CountsAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var pcs = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM pcs").ConfigureAwait(false);
        var snapshots = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM snapshots").ConfigureAwait(false);
        return (pcs, snapshots);
    }

    /// <summary>Adds blob IDs (hex) to a PC's known set.</summary>
    public async Task AddKnownBlobsAsync(string pcId, IReadOnlyCollection<string> blobIds, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        foreach (var batch in blobIds.Chunk(BatchSize))
        {
            await using var t = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await c.ExecuteAsync("INSERT INTO pc_blobs (pc_id, blob_id) VALUES (@pcId, @blobId) ON CONFLICT DO NOTHING",
                batch.Select(blobId => new { pcId, blobId }), t).ConfigureAwait(false);
            await t.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Which of <paramref name="blobIds"/> are in the PC's known set.</summary>
    public async Task<HashSet<string>> KnownBlobsAsync(string pcId, IReadOnlyCollection<string> blobIds, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        foreach (var batch in blobIds.Distinct().Chunk(BatchSize))
        {
            // PostgreSQL takes the batch as one array parameter; for SQLite Dapper expands it into one parameter per ID.
            var sql = IsPostgres
                ? "SELECT blob_id FROM pc_blobs WHERE pc_id = @pcId AND blob_id = ANY(@batch)"
                : "SELECT blob_id FROM pc_blobs WHERE pc_id = @pcId AND blob_id IN @batch";
            var rows = await c.QueryAsync<string>(sql, new { pcId, batch }).ConfigureAwait(false);
            known.UnionWith(rows);
        }

        return known;
    }

    /// <summary>Removes everything that is rebuilt from the repository: snapshots and known sets.</summary>
    internal async Task ClearDerivedAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("DELETE FROM snapshots; DELETE FROM pc_blobs; DELETE FROM pc_trees;").ConfigureAwait(false);
    }

    private sealed class SnapshotRow
    {
        public string Id { get; set; } = "";
        public string PcId { get; set; } = "";
        public long Time { get; set; }
        public string Hostname { get; set; } = "";
        public string Paths { get; set; } = "[]";
        public string Tree { get; set; } = "";
        public long Files { get; set; }
        public long TotalBytes { get; set; }

        public SnapshotDto ToDto() => new(Id, PcId, ServerCatalog.Time(Time), Hostname,
            JsonSerializer.Deserialize(Paths, ProtocolJson.Default.IReadOnlyListString) ?? [], Tree, Files, TotalBytes);
    }
}
