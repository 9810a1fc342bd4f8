using Hort.Server.Catalog;
using Hort.Server.Dashboard.Auth;
using Hort.Server.Dashboard.Health;
using Hort.Server.Notifications;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>Storage: what the repository holds and takes on disk, how well it deduplicates and compresses, and its growth.</summary>
[Authorize(Policy = DashboardAuth.AdminPolicy)]
internal sealed class StorageModel(StoredSizes sizes, StorageHistory history, TimeProvider time) : PageModel
{
    /// <summary>How far back the growth chart reaches.</summary>
    public const int ChartDays = 365;

    public RepositoryFigures Figures { get; private set; } = null!;

    public DiskSpace? Space { get; private set; }

    /// <summary>The daily samples, oldest first, and the measurement of now as the last point.</summary>
    public IReadOnlyList<StorageSample> Samples { get; private set; } = [];

    public ChartLayout? Chart { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Figures = await sizes.GetAsync(ct).ConfigureAwait(false);
        Space = history.Space();
        Samples = await history.SeriesAsync(time.GetUtcNow().AddDays(-ChartDays), ct).ConfigureAwait(false);
        var points = Samples.Select(s => new ChartPoint(s.Time, s.RepositoryBytes)).ToList();
        if (points.Count == 0 || points[^1].Time < Figures.Measured) points.Add(new ChartPoint(Figures.Measured, Figures.PackBytes));
        Chart = GrowthChart.Layout(points);
    }
}
