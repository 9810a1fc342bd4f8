using Dapper;
using Hort.Protocol;
using Hort.Server.Dashboard.Health;

namespace Hort.Server.Catalog;

/// <summary>Queries for the dashboard's overview, PC and storage pages.</summary>
public sealed partial class ServerCatalog
{
    /// <summary>Each PC's newest backup job that ended as succeeded or failed, with whether it could not read some files.</summary>
    public async Task<Dictionary<string, EndedBackup>> LastEndedBackupsAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<EndedRow>(
            """
            SELECT j.pc_id AS PcId, j.id AS Id, j.state AS State, j.finished AS Finished,
              CAST(CASE WHEN EXISTS (SELECT 1 FROM alerts a WHERE a.kind = @partialKind AND a.pc_id = j.pc_id AND a.subject = 'job ' || j.id)
                THEN 1 ELSE 0 END AS BIGINT) AS Partial
            FROM jobs j
            JOIN (SELECT pc_id, MAX(finished) AS newest FROM jobs WHERE kind = @backup AND state IN (@succeeded, @failed) GROUP BY pc_id) n
              ON j.pc_id = n.pc_id AND j.finished = n.newest
            WHERE j.kind = @backup AND j.state IN (@succeeded, @failed)
            ORDER BY j.id
            """,
            new { partialKind = AlertKinds.BackupPartial, backup = JobValues.Backup, succeeded = JobValues.Succeeded, failed = JobValues.Failed })
            .ConfigureAwait(false);
        var last = new Dictionary<string, EndedBackup>(StringComparer.Ordinal);
        foreach (var r in rows) last[r.PcId] = new EndedBackup(r.Id, r.State, Time(r.Finished), r.Partial != 0);
        return last;
    }

    /// <summary>Each PC's newest snapshot.</summary>
    public async Task<Dictionary<string, SnapshotDto>> LatestSnapshotsAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<SnapshotRow>(
            """
            SELECT s.id, s.pc_id, s.time, s.hostname, s.paths, s.tree, s.files, s.total_bytes FROM snapshots s
            JOIN (SELECT pc_id, MAX(time) AS newest FROM snapshots GROUP BY pc_id) n ON s.pc_id = n.pc_id AND s.time = n.newest
            ORDER BY s.id
            """).ConfigureAwait(false);
        var latest = new Dictionary<string, SnapshotDto>(StringComparer.Ordinal);
        foreach (var r in rows) latest[r.PcId] = r.ToDto();
        return latest;
    }

    /// <summary>Jobs that have not ended (queued, waiting, running, cancelling), oldest first.</summary>
    public async Task<IReadOnlyList<JobDto>> OpenJobsAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<JobRow>($"SELECT {JobColumns} FROM jobs WHERE finished IS NULL ORDER BY created, id").ConfigureAwait(false);
        return [.. rows.Select(r => r.ToDto())];
    }

    /// <summary>Number of alerts nobody acknowledged.</summary>
    public async Task<long> OpenAlertCountAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM alerts WHERE acknowledged_at IS NULL").ConfigureAwait(false);
    }

    /// <summary>Every (PC, blob ID) pair of the PCs' known sets, streamed.</summary>
    public async IAsyncEnumerable<(string PcId, string BlobId)> PcBlobsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await foreach (var row in c.QueryUnbufferedAsync<BlobRow>("SELECT pc_id AS PcId, blob_id AS BlobId FROM pc_blobs").WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return (row.PcId, row.BlobId);
        }
    }

    /// <summary>Files and bytes of every snapshot, added up (what deduplication saved is measured against this).</summary>
    public async Task<(long Snapshots, long TotalBytes)> SnapshotTotalsAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QuerySingleAsync<TotalsRow>("SELECT COUNT(*) AS Snapshots, CAST(COALESCE(SUM(total_bytes), 0) AS BIGINT) AS TotalBytes FROM snapshots").ConfigureAwait(false);
        return (row.Snapshots, row.TotalBytes);
    }

    private sealed class EndedRow
    {
        public string PcId { get; set; } = "";
        public string Id { get; set; } = "";
        public string State { get; set; } = "";
        public long Finished { get; set; }
        public long Partial { get; set; }
    }

    private sealed class BlobRow
    {
        public string PcId { get; set; } = "";
        public string BlobId { get; set; } = "";
    }

    private sealed class TotalsRow
    {
        public long Snapshots { get; set; }
        public long TotalBytes { get; set; }
    }
}
