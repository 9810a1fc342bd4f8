using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using Hort.Protocol;
using Hort.Repository;
using Hort.Server.Dashboard.Health;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>The overview on a real hortd with snapshots uploaded through the agent protocol.</summary>
public sealed class OverviewPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IElement Row(IDocument page, string pcId) =>
        page.QuerySelector($"table.pcs tr[data-pc='{pcId}']") ?? throw new InvalidOperationException($"no row for {pcId}");

    [Fact]
    public async Task A_pc_backed_up_an_hour_ago_is_green_with_its_last_backup_size_and_next_run()
    {
        await using var env = await DashboardPcs.StartAsync();
        var (pcId, agent) = await env.EnrollAsync("desk-1");
        var (newId, _) = await env.EnrollAsync("desk-new");
        await DashboardPcs.JobAsync(agent, succeed: true, 0, "the first file's bytes"u8.ToArray(), new byte[5000]);
        await env.AdvanceAsync(TimeSpan.FromHours(1));

        var page = await env.Dashboard.PageAsync("/");
        var row = Row(page, pcId);
        Assert.Equal("green", row.GetAttribute("data-state"));
        Assert.Contains("Protected", row.QuerySelector(".state")!.TextContent, StringComparison.Ordinal);
        var cells = row.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.DoesNotContain("never", cells[1], StringComparison.Ordinal);
        Assert.Equal("0", cells[2]);
        // Default window opens at 18:00 (server zone UTC in tests); backed up at 12:00 after last night's opening.
        Assert.Contains("6:00", cells[3], StringComparison.Ordinal);
        Assert.NotEqual("–", cells[4]);
        Assert.NotEqual("–", cells[5]);
        Assert.Equal("/pcs/" + pcId, row.QuerySelector("th a")!.GetAttribute("href"));
        // A PC enrolled an hour ago without a backup needs attention, it is not failing yet.
        Assert.Equal("amber", Row(page, newId).GetAttribute("data-state"));
        Assert.Equal("1", page.QuerySelectorAll(".cards .figure")[0].TextContent.Trim());
        Assert.Equal("1", page.QuerySelectorAll(".cards .figure")[1].TextContent.Trim());
    }

    [Fact]
    public async Task A_pc_whose_last_backup_is_four_days_old_is_red_and_on_top_and_german_says_so()
    {
        await using var env = await DashboardPcs.StartAsync();
        var (oldId, old) = await env.EnrollAsync("old-laptop");
        await DashboardPcs.JobAsync(old, succeed: true, 0, "old data"u8.ToArray());
        await env.AdvanceAsync(TimeSpan.FromDays(4));
        var (freshId, _) = await env.EnrollAsync("fresh-desk");

        var page = await env.Dashboard.PageAsync("/");
        var rows = page.QuerySelectorAll("table.pcs tbody tr").Select(r => r.GetAttribute("data-pc")).ToList();
        Assert.Equal([oldId, freshId], rows);
        var red = Row(page, oldId);
        Assert.Equal("red", red.GetAttribute("data-state"));
        Assert.Equal("4", red.QuerySelectorAll("td")[2].TextContent.Trim());
        Assert.Contains("3 days", red.TextContent, StringComparison.Ordinal);

        using var german = await env.SignInAsync("de");
        var de = await german.PageAsync("/");
        Assert.Contains("Nicht geschützt", Row(de, oldId).TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_last_backup_is_red_and_a_partial_one_amber()
    {
        await using var env = await DashboardPcs.StartAsync();
        var (failedId, failing) = await env.EnrollAsync("failing");
        await DashboardPcs.JobAsync(failing, succeed: true, 0, "before"u8.ToArray());
        env.Clock.Advance(TimeSpan.FromMinutes(1));
        await DashboardPcs.JobAsync(failing, succeed: false);
        var (partialId, partial) = await env.EnrollAsync("partial");
        await DashboardPcs.JobAsync(partial, succeed: true, 2, "some files"u8.ToArray());

        var page = await env.Dashboard.PageAsync("/");
        Assert.Equal("red", Row(page, failedId).GetAttribute("data-state"));
        Assert.Contains("last backup failed", Row(page, failedId).TextContent, StringComparison.Ordinal);
        Assert.Equal("amber", Row(page, partialId).GetAttribute("data-state"));
        Assert.Contains("could not read some files", Row(page, partialId).TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Running_jobs_show_the_progress_their_agent_reported_and_refresh_as_json()
    {
        await using var env = await DashboardPcs.StartAsync();
        var (pcId, agent) = await env.EnrollAsync("busy-pc");
        var job = await (await agent.Client.PostAsync(Routes.AgentJobs, new AgentJobCreateRequest(JobValues.Backup), ProtocolJson.Default.AgentJobCreateRequest))
            .ReadAsync(ProtocolJson.Default.JobDto);
        var progress = await agent.Client.PostAsync(Routes.Format(Routes.AgentJobProgress, job.Id),
            new JobProgress(JobValues.Running, 12, 250 << 20, 1000 << 20, "reading /home"), ProtocolJson.Default.JobProgress);
        Assert.Equal(HttpStatusCode.NoContent, progress.StatusCode);

        var page = await env.Dashboard.PageAsync("/");
        var jobRow = page.QuerySelector($"#active-jobs tr[data-job='{job.Id}']")!;
        Assert.Equal("250", jobRow.QuerySelector("progress")!.GetAttribute("value"));
        Assert.Contains("12 files, 250.0 MiB / 1000.0 MiB", jobRow.TextContent, StringComparison.Ordinal);
        Assert.Equal("/?handler=Jobs", page.QuerySelector("#active-jobs")!.GetAttribute("data-poll"));

        await agent.Client.PostAsync(Routes.Format(Routes.AgentJobProgress, job.Id),
            new JobProgress(JobValues.Running, 40, 750 << 20, 1000 << 20, null), ProtocolJson.Default.JobProgress);
        using var poll = await env.Dashboard.GetAsync("/?handler=Jobs");
        Assert.Equal(HttpStatusCode.OK, poll.StatusCode);
        using var json = JsonDocument.Parse(await poll.Content.ReadAsStringAsync(Ct));
        Assert.False(json.RootElement.GetProperty("done").GetBoolean());
        Assert.Contains("value=\"750\"", json.RootElement.GetProperty("html").GetString(), StringComparison.Ordinal);

        await agent.Client.PostAsync(Routes.Format(Routes.AgentJobResult, job.Id), new JobResult(false, null, 0, "stopped"), ProtocolJson.Default.JobResult);
        var after = await env.Dashboard.PageAsync("/");
        Assert.Null(after.QuerySelector($"#active-jobs tr[data-job='{job.Id}']"));
        Assert.Equal("red", Row(after, pcId).GetAttribute("data-state"));
    }

    [Fact]
    public async Task The_deduplicated_size_counts_the_stored_bytes_of_every_blob_a_pc_references_shared_ones_for_both()
    {
        await using var env = await DashboardPcs.StartAsync();
        var (aId, a) = await env.EnrollAsync("pc-a");
        var (bId, b) = await env.EnrollAsync("pc-b");
        var shared = RandomBytes(40_000);
        var onlyA = RandomBytes(10_000);
        var onlyB = RandomBytes(20_000);
        await DashboardPcs.JobAsync(a, succeed: true, 0, shared, onlyA);
        await DashboardPcs.JobAsync(b, succeed: true, 0, shared, onlyB);

        var sizes = env.Server.Host.Services.GetRequiredService<StoredSizes>();
        var figures = await sizes.MeasureAsync(Ct);
        var index = env.Server.Host.Services.GetRequiredService<HortRepository>().Index;
        long Stored(AgentUploads agent, byte[] chunk)
        {
            Assert.True(index.TryGet(Hort.Core.ObjectId.Parse(agent.Id(chunk)), out var location));
            return location.Entry.StoredLength;
        }

        // Random data does not compress: each chunk is stored at about its own size plus the envelope.
        var sharedStored = Stored(a, shared);
        Assert.InRange(sharedStored, 40_000, 41_000);
        Assert.Equal(Stored(b, shared), sharedStored);
        var treeA = figures.PcStoredBytes[aId] - sharedStored - Stored(a, onlyA);
        var treeB = figures.PcStoredBytes[bId] - sharedStored - Stored(b, onlyB);
        Assert.InRange(treeA, 1, 1000);
        Assert.InRange(treeB, 1, 1000);
        // Three data chunks and two trees, stored once each.
        Assert.Equal(5, figures.Blobs);
        Assert.Equal(2, figures.Snapshots);
        Assert.Equal(figures.StoredBytes, figures.PcStoredBytes[aId] + figures.PcStoredBytes[bId] - sharedStored);
    }

    private static byte[] RandomBytes(int length) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
}
