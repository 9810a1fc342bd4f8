using Hort.Core;
using Hort.Protocol;
using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Browsing;
using Hort.Server.Dashboard.Text;
using Hort.Server.Sessions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Net.Http.Headers;

namespace Hort.Server.Dashboard.Pages.Pcs;

/// <summary>
/// Browse a PC's snapshots: folders, a file's versions, search by name; download a file, or a folder as zip or tar.gz;
/// send a restore to the PC's agent and follow it. Open to both roles; downloads and restores are audited.
/// </summary>
internal sealed partial class BrowseModel(
    ServerCatalog catalog, SnapshotBrowser browser, SnapshotDownloads downloads, RestoreRequests restores, AuditLog audit, PageText text,
    ILogger<BrowseModel> log) : PageModel
{
    /// <summary>Search hits shown on one page.</summary>
    public const int SearchLimit = 100;

    [FromRoute]
    public string PcId { get; set; } = "";

    /// <summary>The snapshot shown (the newest when not given).</summary>
    [BindProperty(SupportsGet = true, Name = "s")]
    public string? SnapshotId { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Path { get; set; }

    [BindProperty(SupportsGet = true, Name = "q")]
    public string? Query { get; set; }

    [BindProperty(SupportsGet = true, Name = "all")]
    public bool SearchAll { get; set; }

    /// <summary>A restore job to follow.</summary>
    [BindProperty(SupportsGet = true, Name = "job")]
    public string? JobId { get; set; }

    /// <summary>"original" or "folder"; kept in the address after a restore is queued, so the form shows the choice made.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Where { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Target { get; set; }

    public PcRecord Pc { get; private set; } = null!;

    public IReadOnlyList<SnapshotDto> Snapshots { get; private set; } = [];

    public SnapshotItem? Item { get; private set; }

    public IReadOnlyList<FolderEntry> Entries { get; private set; } = [];

    public IReadOnlyList<FileVersion> Versions { get; private set; } = [];

    public SearchResults? Results { get; private set; }

    public string? SearchError { get; private set; }

    public string? RestoreError { get; private set; }

    public JobDto? Job { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken ct) => RefusingAsync(ShowAsync, ct);

    /// <summary>The file itself, streamed.</summary>
    public Task<IActionResult> OnGetFileAsync(CancellationToken ct) => RefusingAsync(c => DownloadAsync("download-file", c), ct);

    /// <summary>The folder as a zip archive, streamed.</summary>
    public Task<IActionResult> OnGetZipAsync(CancellationToken ct) => RefusingAsync(c => DownloadAsync("download-zip", c), ct);

    /// <summary>The folder as a tar.gz archive, streamed.</summary>
    public Task<IActionResult> OnGetTarAsync(CancellationToken ct) => RefusingAsync(c => DownloadAsync("download-tar", c), ct);

    /// <summary>Queues a restore of the shown file or folder to the original place or another folder, then follows it.</summary>
    public async Task<IActionResult> OnPostRestoreAsync(CancellationToken ct)
    {
        string? target = null;
        if (Where == "folder")
        {
            if (string.IsNullOrWhiteSpace(Target) || RestoreRequests.Normalize(Target.Trim()) is null)
            {
                RestoreError = text["browse.restoreBadTarget"];
                Response.StatusCode = StatusCodes.Status400BadRequest;
                return await OnGetAsync(ct).ConfigureAwait(false) is PageResult page ? page : BadRequest();
            }

            target = Target.Trim();
        }

        return await RefusingAsync(async c =>
        {
            await RequirePcAsync(c).ConfigureAwait(false);
            var item = await browser.FindAsync(PcId, SnapshotId ?? "", Path, c).ConfigureAwait(false);
            var job = await restores.QueueAsync(PcId, new RestoreRequest(item.Snapshot.Id, [item.Path], target), c).ConfigureAwait(false);
            await audit.RecordAsync(HttpContext, "request-restore",
                $"pc {PcId} snapshot {job.SnapshotId} path {item.Path} target {target ?? "(original place)"} job {job.Id}").ConfigureAwait(false);
            // The page shown next keeps the destination chosen, so pressing Restore again cannot silently switch
            // from another folder to the original place.
            var chosen = target is null ? "" : "&where=folder&target=" + Uri.EscapeDataString(target);
            return Redirect(Link(item.Snapshot.Id, item.Path) + "&job=" + job.Id + chosen);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>The restore job's state for hort.js to poll: <c>{ html, done }</c>.</summary>
    public async Task<IActionResult> OnGetJobAsync(CancellationToken ct)
    {
        var job = await RestoreJobAsync(ct).ConfigureAwait(false);
        return job is null ? NotFound() : new JsonResult(new JobPoll(RestoreJobView.Html(job, text), job.Finished is not null));
    }

    /// <summary>This page's address for a snapshot and path.</summary>
    public string Link(string? snapshotId, string? path) =>
        $"/pcs/{Uri.EscapeDataString(PcId)}/browse?s={Uri.EscapeDataString(snapshotId ?? "")}&path={Uri.EscapeDataString(path ?? "/")}";

    /// <summary>A download of a path in a snapshot.</summary>
    public string DownloadLink(string handler, string snapshotId, string path) => Link(snapshotId, path) + "&handler=" + handler;

    private async Task<IActionResult> ShowAsync(CancellationToken ct)
    {
        await RequirePcAsync(ct).ConfigureAwait(false);
        Snapshots = await browser.SnapshotsAsync(PcId, ct).ConfigureAwait(false);
        if (Snapshots.Count == 0) return Page();
        SnapshotId ??= Snapshots[0].Id;
        Item = await browser.FindAsync(PcId, SnapshotId, Path, ct).ConfigureAwait(false);
        if (Item.IsFolder) Entries = await browser.ListAsync(Item, ct).ConfigureAwait(false);
        else if (Item.IsFile) Versions = await browser.VersionsAsync(PcId, Item.Path, ct).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(Query))
        {
            try
            {
                Results = await browser.SearchAsync(PcId, SearchAll ? null : Item.Snapshot.Id, Query, SearchLimit, ct).ConfigureAwait(false);
            }
            catch (BadHttpRequestException)
            {
                SearchError = text.Format("browse.searchBad", NamePattern.MaxLength);
            }
        }

        Job = await RestoreJobAsync(ct).ConfigureAwait(false);
        return Page();
    }

    /// <summary>Runs a handler, answering 404 for what this PC does not have and 400 for a malformed request.</summary>
    private async Task<IActionResult> RefusingAsync(Func<CancellationToken, Task<IActionResult>> handler, CancellationToken ct)
    {
        try
        {
            return await handler(ct).ConfigureAwait(false);
        }
        catch (NotFoundException)
        {
            return NotFound();
        }
        catch (BadHttpRequestException)
        {
            return BadRequest();
        }
    }

    private async Task<IActionResult> DownloadAsync(string action, CancellationToken ct)
    {
        await RequirePcAsync(ct).ConfigureAwait(false);
        var item = await browser.FindAsync(PcId, SnapshotId ?? "", Path, ct).ConfigureAwait(false);

        (Func<SnapshotItem, Stream, CancellationToken, Task>? Write, string ContentType, string Name, long? Length) download = action switch
        {
            "download-file" when item.IsFile => (downloads.WriteFileAsync, "application/octet-stream", item.Name, (long)item.Node!.Size),
            "download-zip" when item.IsFolder => (downloads.WriteZipAsync, "application/zip", SnapshotDownloads.ArchiveRoot(item) + ".zip", null),
            "download-tar" when item.IsFolder => (downloads.WriteTarGzAsync, "application/gzip", SnapshotDownloads.ArchiveRoot(item) + ".tar.gz", null),
            _ => (null, "", "", null),
        };
        var (write, contentType, name, length) = download;
        if (write is null) return BadRequest();

        await audit.RecordAccessAsync(HttpContext, action, $"pc {PcId} snapshot {item.Snapshot.Id} path {item.Path}").ConfigureAwait(false);
        Response.ContentType = contentType;
        Response.ContentLength = length;
        Response.Headers.CacheControl = "no-store";
        Response.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment")
        {
            FileName = SnapshotDownloads.SafeFileName(name),
            FileNameStar = name,
        }.ToString();
        try
        {
            await write(item, Response.Body, ct).ConfigureAwait(false);
        }
        catch (RepositoryCorruptException e)
        {
            // The client must see a failed download, never a complete-looking short file or archive.
            LogDamagedDownload(log, PcId, item.Snapshot.Id, item.Path, e.Message);
            HttpContext.Abort();
        }

        return new EmptyResult();
    }

    private async Task RequirePcAsync(CancellationToken ct)
    {
        Pc = (Ids.IsValid(PcId) ? await catalog.GetPcAsync(PcId, ct).ConfigureAwait(false) : null)
            ?? throw new NotFoundException($"there is no PC {PcId}");
    }

    /// <summary>The restore job named by <see cref="JobId"/> when it is a restore of this PC.</summary>
    private async Task<JobDto?> RestoreJobAsync(CancellationToken ct) =>
        JobId is { } id && Ids.IsValid(id) && await catalog.GetJobAsync(id, ct).ConfigureAwait(false) is { Kind: JobValues.Restore } job && job.PcId == PcId
            ? job
            : null;

    private sealed record JobPoll(string Html, bool Done);

    [LoggerMessage(EventId = 1100, Level = LogLevel.Error, Message = "download of {Path} from snapshot {SnapshotId} of PC {PcId} aborted: {Problem}")]
    private static partial void LogDamagedDownload(ILogger logger, string pcId, string snapshotId, string path, string problem);
}
