using System.IO.Compression;
using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using Hort.Protocol;
using Hort.Server.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>The browse page of a real hortd: folders, versions, search, downloads and restores, as a browser uses them.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BrowsePageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<DashboardClient> SignInAsync(BrowseScene scene)
    {
        var client = new DashboardClient(scene.Server);
        Assert.Equal(HttpStatusCode.Redirect, (await client.SignInAsync("admin", DashboardClient.Password)).StatusCode);
        return client;
    }

    private static string Browse(BrowseScene scene, string snapshot, string path, string? pc = null) =>
        $"/pcs/{pc ?? scene.Pc1.PcId}/browse?s={snapshot}&path={Uri.EscapeDataString(path)}";

    [Fact]
    public async Task The_page_shows_a_folder_a_files_versions_and_search_results()
    {
        await using var scene = await BrowseScene.StartAsync();
        using var client = await SignInAsync(scene);

        // Without a snapshot: the newest, at the root.
        var start = await client.PageAsync($"/pcs/{scene.Pc1.PcId}/browse");
        Assert.Equal(scene.Newer, start.QuerySelector<AngleSharp.Html.Dom.IHtmlSelectElement>("select#snapshot")!.Value);
        Assert.Equal(2, start.QuerySelectorAll("select#snapshot option").Length);

        var docs = await client.PageAsync(Browse(scene, scene.Older, scene.PathOf("docs")));
        Assert.Equal("docs", docs.QuerySelector("#folder-heading")!.TextContent);
        Assert.Equal(["sub/", "big.bin", "empty.txt", "letter.txt", "link", "Report-2025.PDF"],
            docs.QuerySelectorAll("table.entries tbody th a, table.entries tbody th").Select(Name).Where(n => n.Length > 0).Distinct());
        Assert.Contains("-rw-r-----", docs.QuerySelector("table.entries")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(docs.QuerySelectorAll("nav .breadcrumbs.path a"), a => a.GetAttribute("href")!.EndsWith("&path=%2F", StringComparison.Ordinal));

        var letter = await client.PageAsync(Browse(scene, scene.Newer, scene.PathOf("docs/letter.txt")));
        Assert.Equal("letter.txt", letter.QuerySelector("#file-heading")!.TextContent);
        Assert.Equal(2, letter.QuerySelectorAll("table.versions tbody tr").Length);
        Assert.Contains(letter.QuerySelectorAll("a[download]"), a => a.GetAttribute("href")!.Contains($"s={scene.Older}", StringComparison.Ordinal));

        var search = await client.PageAsync(Browse(scene, scene.Older, "/") + "&q=*.TXT&all=true");
        Assert.Equal(["empty.txt", "letter.txt", "new.txt"], search.QuerySelectorAll("#results-heading + .table-scroll tbody th a").Select(a => a.TextContent).Order(StringComparer.Ordinal));
        var bad = await client.PageAsync(Browse(scene, scene.Older, "/") + "&q=" + new string('x', 300));
        Assert.NotNull(bad.QuerySelector(".message.error[role=alert]"));
    }

    [Fact]
    public async Task A_downloaded_file_and_a_folders_zip_and_tar_gz_hold_the_original_bytes_and_are_audited()
    {
        await using var scene = await BrowseScene.StartAsync();
        using var client = await SignInAsync(scene);

        using var file = await client.GetAsync(Browse(scene, scene.Older, scene.PathOf("docs/big.bin")) + "&handler=File");
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("big.bin", file.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        Assert.Equal(scene.Big.Length, file.Content.Headers.ContentLength);
        Assert.Equal(scene.Big, await file.Content.ReadAsByteArrayAsync(Ct));

        using var zipResponse = await client.GetAsync(Browse(scene, scene.Newer, scene.PathOf("docs")) + "&handler=Zip");
        Assert.Equal("application/zip", zipResponse.Content.Headers.ContentType!.MediaType);
        Assert.Equal("docs.zip", zipResponse.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        using var zip = new ZipArchive(new MemoryStream(await zipResponse.Content.ReadAsByteArrayAsync(Ct)), ZipArchiveMode.Read);
        Assert.Contains("docs/sub/deep/notes.md", zip.Entries.Select(e => e.FullName));
        await using (var letter = await zip.GetEntry("docs/letter.txt")!.OpenAsync(Ct))
        {
            Assert.Equal(File.ReadAllText(scene.PathOf("docs/letter.txt")), await new StreamReader(letter).ReadToEndAsync(Ct));
        }

        using var tar = await client.GetAsync(Browse(scene, scene.Newer, scene.PathOf("docs")) + "&handler=Tar");
        Assert.Equal(("application/gzip", "docs.tar.gz"), (tar.Content.Headers.ContentType!.MediaType, tar.Content.Headers.ContentDisposition!.FileName?.Trim('"')));

        // A folder has no "file" download and a file no archive.
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(Browse(scene, scene.Newer, scene.PathOf("docs")) + "&handler=File")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(Browse(scene, scene.Newer, scene.PathOf("docs/letter.txt")) + "&handler=Zip")).StatusCode);

        var audit = await scene.Service<ServerCatalog>().ListAuditAsync(50, Ct);
        Assert.Contains(audit, a => a.Action == "download-file" && a.Target.Contains(scene.PathOf("docs/big.bin"), StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Action == "download-zip");
        Assert.Contains(audit, a => a.Action == "download-tar");
    }

    [Fact]
    public async Task A_download_of_damaged_content_breaks_off_instead_of_ending_short()
    {
        await using var scene = await BrowseScene.StartAsync();
        using var client = await SignInAsync(scene);
        var big = await scene.Service<Hort.Server.Dashboard.Browsing.SnapshotBrowser>().FindAsync(scene.Pc1.PcId, scene.Older, scene.PathOf("docs/big.bin"), Ct);
        scene.Damage(big.Node!.Content[^1]);

        foreach (var download in new[] { Browse(scene, scene.Older, scene.PathOf("docs/big.bin")) + "&handler=File", Browse(scene, scene.Older, scene.PathOf("docs")) + "&handler=Zip" })
        {
            await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                using var response = await client.GetAsync(download);
                await response.Content.ReadAsByteArrayAsync(Ct);
            });
        }
    }

    [Fact]
    public async Task Restore_to_the_pc_is_queued_with_the_right_paths_and_shows_the_jobs_progress()
    {
        await using var scene = await BrowseScene.StartAsync();
        using var client = await SignInAsync(scene);
        var catalog = scene.Service<ServerCatalog>();

        var page = Browse(scene, scene.Older, scene.PathOf("docs"));
        var queued = await client.SubmitAsync(page, new() { ["Where"] = "folder", ["Target"] = "/srv/restore/" }, "form[data-confirm]");
        Assert.Equal(HttpStatusCode.Redirect, queued.StatusCode);
        var jobId = queued.Headers.Location!.OriginalString.Split("job=")[1].Split('&')[0];
        var job = await catalog.GetJobAsync(jobId, Ct);
        Assert.Equal((JobValues.Restore, JobValues.Queued, scene.Pc1.PcId, scene.Older), (job!.Kind, job.State, job.PcId, job.SnapshotId));
        var request = JsonSerializer.Deserialize((await catalog.JobPayloadAsync(jobId, Ct))!, ProtocolJson.Default.RestoreRequest)!;
        Assert.Equal([scene.PathOf("docs")], request.Paths);
        Assert.Equal("/srv/restore", request.Target);

        // The page follows the job; hort.js polls its state.
        var following = await client.PageAsync(queued.Headers.Location.OriginalString);
        // The form keeps the destination just used, so a second press cannot restore to the original place instead.
        Assert.True(following.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=Where][value=folder]")!.IsChecked);
        Assert.False(following.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=Where][value=original]")!.IsChecked);
        Assert.Equal("/srv/restore/", following.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("input[name=Target]")!.Value);
        var status = following.QuerySelector(".restore-job[data-poll]")!;
        Assert.Contains("Waiting for the PC", status.TextContent, StringComparison.Ordinal);
        using var poll = await client.GetAsync(status.GetAttribute("data-poll")!);
        using var answer = JsonDocument.Parse(await poll.Content.ReadAsStringAsync(Ct));
        Assert.False(answer.RootElement.GetProperty("done").GetBoolean());
        Assert.Contains("Waiting for the PC", answer.RootElement.GetProperty("html").GetString(), StringComparison.Ordinal);
        await catalog.UpdateJobAsync(jobId, JobValues.Succeeded, scene.Clock.GetUtcNow(), null, "restored 7 files", Ct);
        using var ended = JsonDocument.Parse(await (await client.GetAsync(status.GetAttribute("data-poll")!)).Content.ReadAsStringAsync(Ct));
        Assert.True(ended.RootElement.GetProperty("done").GetBoolean());
        Assert.Contains("restored 7 files", ended.RootElement.GetProperty("html").GetString(), StringComparison.Ordinal);

        // To the original place: no target.
        var file = await client.SubmitAsync(Browse(scene, scene.Newer, scene.PathOf("docs/letter.txt")), new() { ["Where"] = "original" }, "form[data-confirm]");
        var second = JsonSerializer.Deserialize((await catalog.JobPayloadAsync(file.Headers.Location!.OriginalString.Split("job=")[1], Ct))!, ProtocolJson.Default.RestoreRequest)!;
        Assert.Equal([scene.PathOf("docs/letter.txt")], second.Paths);
        Assert.Equal(((string?)null, scene.Newer), (second.Target, second.SnapshotId));
        Assert.Equal(2, (await catalog.ListAuditAsync(50, Ct)).Count(a => a.Action == "request-restore"));
    }

    [Fact]
    public async Task Another_pcs_snapshot_or_a_bad_path_answers_404_or_400_and_queues_nothing()
    {
        await using var scene = await BrowseScene.StartAsync();
        using var client = await SignInAsync(scene);
        var catalog = scene.Service<ServerCatalog>();

        foreach (var handler in new[] { "", "&handler=File", "&handler=Zip", "&handler=Tar" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(Browse(scene, scene.Other, "/") + handler)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(Browse(scene, scene.Older, "/", scene.Pc2.PcId) + handler)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(Browse(scene, scene.Older, scene.PathOf("docs/missing")) + handler)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(Browse(scene, scene.Older, "docs") + handler)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync(Browse(scene, scene.Older, scene.PathOf("docs/../docs")) + handler)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/pcs/nope/browse?s={scene.Older}" + handler)).StatusCode);
        }

        var page = Browse(scene, scene.Older, scene.PathOf("docs"));
        var refused = new (HttpStatusCode Status, Dictionary<string, string> Fields)[]
        {
            (HttpStatusCode.NotFound, new() { ["s"] = scene.Other }),
            (HttpStatusCode.NotFound, new() { ["path"] = scene.PathOf("docs/missing") }),
            (HttpStatusCode.BadRequest, new() { ["path"] = scene.PathOf("docs/../../etc") }),
            (HttpStatusCode.BadRequest, new() { ["path"] = "etc/passwd" }),
            (HttpStatusCode.BadRequest, new() { ["Where"] = "folder", ["Target"] = "relative/folder" }),
            (HttpStatusCode.BadRequest, new() { ["Where"] = "folder", ["Target"] = "/srv/../etc" }),
            (HttpStatusCode.BadRequest, new() { ["Where"] = "folder", ["Target"] = "" }),
        };
        foreach (var (status, fields) in refused)
        {
            Assert.Equal(status, (await client.SubmitAsync(page, fields, "form[data-confirm]")).StatusCode);
        }

        // Without the antiforgery token nothing is queued either.
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"/pcs/{scene.Pc1.PcId}/browse?handler=Restore",
            [new("s", scene.Older), new("path", scene.PathOf("docs")), new("Where", "original")])).StatusCode);
        Assert.DoesNotContain(await catalog.ListJobsAsync(null, 100, Ct), j => j.Kind == JobValues.Restore);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/pcs/{scene.Pc1.PcId}/browse?handler=Job&job={new string('a', 32)}")).StatusCode);
    }

    private static string Name(IElement e) => e is AngleSharp.Html.Dom.IHtmlAnchorElement a ? a.TextContent : e.ChildNodes.OfType<IText>().FirstOrDefault()?.TextContent.Trim() ?? "";
}
