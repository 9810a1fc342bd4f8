using Hort.Core;
using Hort.Repository;
using Hort.Server.Catalog;

namespace Hort.Server.Dashboard.Health;

/// <summary>
/// What the repository holds, measured from its in-memory index: packs and their bytes on disk, distinct blobs with
/// their raw (uncompressed) and stored bytes, every snapshot's bytes added up, and per PC the stored bytes of the blobs
/// it references (its deduplicated size: data shared with other PCs counts for each of them).
/// </summary>
public sealed record RepositoryFigures(
    DateTimeOffset Measured,
    long Packs,
    long PackBytes,
    long Blobs,
    long RawBytes,
    long StoredBytes,
    long Snapshots,
    long SnapshotBytes,
    IReadOnlyDictionary<string, long> PcStoredBytes)
{
    /// <summary>How many bytes of backed-up files each byte of distinct data stands for (all snapshots ÷ raw), or null with no data.</summary>
    public double? DeduplicationRatio => RawBytes > 0 ? (double)SnapshotBytes / RawBytes : null;

    /// <summary>Raw ÷ stored bytes of the distinct data, or null with no data.</summary>
    public double? CompressionRatio => StoredBytes > 0 ? (double)RawBytes / StoredBytes : null;
}

/// <summary>
/// Measures <see cref="RepositoryFigures"/> and keeps the result for <see cref="MaxAge"/>: walking every PC's known
/// blobs costs time proportional to the repository, too much for each page view.
/// </summary>
public sealed class StoredSizes(ServerCatalog catalog, HortRepository repository, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly SemaphoreSlim _measuring = new(1, 1);
    private RepositoryFigures? _latest;

    /// <summary>The figures, measured again when the kept ones are older than <see cref="MaxAge"/>.</summary>
    public async Task<RepositoryFigures> GetAsync(CancellationToken cancellationToken)
    {
        if (_latest is { } fresh && time.GetUtcNow() - fresh.Measured < MaxAge) return fresh;
        await _measuring.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have measured while this one waited.
            if (_latest is { } again && time.GetUtcNow() - again.Measured < MaxAge) return again;
            return _latest = await MeasureAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _measuring.Release();
        }
    }

    /// <summary>Measures now (and keeps the result).</summary>
    public async Task<RepositoryFigures> MeasureAsync(CancellationToken cancellationToken)
    {
        var index = repository.Index;
        var packs = index.Packs();
        long packBytes = 0;
        foreach (var (_, length) in packs) packBytes += length;
        var (blobs, raw, stored) = index.Totals();
        var perPc = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var (pcId, blobId) in catalog.PcBlobsAsync(cancellationToken).ConfigureAwait(false))
        {
            // A blob pruned since the PC last referenced it is no longer stored: it counts for nothing.
            if (!ObjectId.TryParse(blobId, out var id) || !index.TryGet(id, out var location)) continue;
            perPc[pcId] = perPc.GetValueOrDefault(pcId) + location.Entry.StoredLength;
        }

        var (snapshots, snapshotBytes) = await catalog.SnapshotTotalsAsync(cancellationToken).ConfigureAwait(false);
        var figures = new RepositoryFigures(time.GetUtcNow(), packs.Count, packBytes, blobs, raw, stored, snapshots, snapshotBytes, perPc);
        _latest = figures;
        return figures;
    }
}
