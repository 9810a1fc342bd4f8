using Hort.Server.Catalog;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>The overview: every PC and its last backup.</summary>
internal sealed class IndexModel(ServerCatalog catalog) : PageModel
{
    public IReadOnlyList<(string Id, string Name, DateTimeOffset? LastSnapshot)> Pcs { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        var last = await catalog.LastSnapshotTimesAsync(ct).ConfigureAwait(false);
        var pcs = await catalog.ListPcsAsync(ct).ConfigureAwait(false);
        Pcs = [.. pcs.Select(pc => (pc.Id, pc.Name, last.TryGetValue(pc.Id, out var t) ? (DateTimeOffset?)t : null))];
    }
}
