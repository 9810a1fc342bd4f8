using Hort.Repository;
using Hort.Server.Catalog;
using Hort.Server.Hosting;

namespace Hort.Server.Notifications;

/// <summary>Free and total bytes of a file system.</summary>
public readonly record struct DiskSpace(long FreeBytes, long CapacityBytes)
{
    /// <summary>How full the file system is, 0..100.</summary>
    public double UsedPercent => CapacityBytes <= 0 ? 0 : 100.0 * (CapacityBytes - FreeBytes) / CapacityBytes;

    /// <summary>The file system holding <paramref name="path"/> (statvfs), or null when it cannot be asked.</summary>
    public static DiskSpace? Of(string path)
    {
        try
        {
            var drive = new DriveInfo(path);
            return new DiskSpace(drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>
/// The repository's size and its file system's free space over time: one sample a day (taken at hortd's first
/// maintenance tick of each local day), kept in the catalog's <c>storage_samples</c>. The Storage page draws its
/// growth chart from <see cref="SeriesAsync"/>; the weekly summary reports the growth.
/// </summary>
public sealed class StorageHistory(ServerCatalog catalog, HortRepository repository, HortdOptions options, TimeProvider time)
{
    /// <summary>How the free space is found; tests replace it to play a full disk.</summary>
    internal Func<string, DiskSpace?> Probe { get; set; } = DiskSpace.Of;

    /// <summary>The repository file system's space now (null when it cannot be asked).</summary>
    public DiskSpace? Space() => Probe(options.ResolvedRepositoryPath);

    /// <summary>Measures now, without recording.</summary>
    public async Task<StorageSample> MeasureAsync(CancellationToken cancellationToken)
    {
        var packs = repository.Index.Packs();
        long bytes = 0;
        foreach (var (_, length) in packs) bytes += length;
        var protectedBytes = await catalog.ProtectedBytesAsync(cancellationToken).ConfigureAwait(false);
        var space = Space();
        return new StorageSample(time.GetUtcNow(), bytes, packs.Count, protectedBytes, space?.FreeBytes, space?.CapacityBytes);
    }

    /// <summary>Takes and records a sample unless one was taken today (server local time); returns the new one or null.</summary>
    public async Task<StorageSample?> SampleIfDueAsync(CancellationToken cancellationToken)
    {
        var latest = await catalog.LatestStorageSampleAsync(cancellationToken).ConfigureAwait(false);
        if (latest is not null && LocalDay(latest.Time) == LocalDay(time.GetUtcNow())) return null;
        var sample = await MeasureAsync(cancellationToken).ConfigureAwait(false);
        await catalog.AddStorageSampleAsync(sample, cancellationToken).ConfigureAwait(false);
        return sample;
    }

    /// <summary>The samples taken at or after <paramref name="since"/>, oldest first.</summary>
    public Task<IReadOnlyList<StorageSample>> SeriesAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        catalog.ListStorageSamplesAsync(since, cancellationToken);

    private DateOnly LocalDay(DateTimeOffset t) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, time.LocalTimeZone).DateTime);
}
