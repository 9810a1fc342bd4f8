using System.Net;
using AngleSharp.Dom;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Health;
using Hort.Server.Maintenance;
using Hort.Server.Notifications;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>The alerts, PC and storage pages on a real hortd with snapshots and jobs made through the agent protocol.</summary>
public sealed class PagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Alerts_lists_open_ones_with_readable_kinds_and_acknowledging_moves_them_down_and_is_audited()
    {
        await using var env = await DashboardPcs.StartAsync();
        var (pcId, agent) = await env.EnrollAsync("accounting");
        await DashboardPcs.JobAsync(agent, succeed: false);
        var raiser = env.Server.Host.Services.GetRequiredService<AlertRaiser>();
        await raiser.RaiseAsync(new AlertRaise("some-new-kind", AlertSeverity.Warning, null, "thing", "a kind this page has no name for"), Ct);

        var page = await env.Dashboard.PageAsync("/alerts");
        var failed = page.QuerySelector("tr[data-kind='backup-failed']")!;
        Assert.Contains("Backup failed", failed.TextContent, StringComparison.Ordinal);
        Assert.Contains("accounting", failed.TextContent, StringComparison.Ordinal);
        Assert.Contains("disk unreadable", failed.TextContent, StringComparison.Ordinal);
        Assert.Equal("Error", failed.QuerySelector(".state.red")!.TextContent.Trim());
        Assert.Contains("some-new-kind", page.QuerySelector("tr[data-kind='some-new-kind']")!.TextContent, StringComparison.Ordinal);
        var id = failed.GetAttribute("data-alert")!;

        var response = await env.Dashboard.SubmitAsync("/alerts", new(), $"form[data-alert='{id}']");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var catalog = env.Server.Host.Services.GetRequiredService<ServerCatalog>();
        var alert = (await catalog.GetAlertAsync(long.Parse(id, System.Globalization.CultureInfo.InvariantCulture), Ct))!;
        Assert.Equal(DashboardClient.AdminName, alert.AcknowledgedBy);
        Assert.Contains(await catalog.ListAuditAsync(20, Ct), e => e.Action == "acknowledge-alert" && e.Target == "alert " + id && e.Admin == DashboardClient.AdminName);

        var after = await env.Dashboard.PageAsync(response.Headers.Location!.OriginalString);
        Assert.NotNull(after.QuerySelector("[role=status]"));
        Assert.Null(after.QuerySelector($"form[data-alert='{id}']"));
        Assert.NotNull(after.QuerySelector($"details tr[data-alert='{id}']"));

        // Without the antiforgery token the same post is refused and changes nothing.
        var other = page.QuerySelector("tr[data-kind='some-new-kind']")!.GetAttribute("data-alert")!;
        var forged = await env.Dashboard.PostAsync($"/alerts?handler=Acknowledge&id={other}", []);
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Null((await catalog.GetAlertAsync(long.Parse(other, System.Globalization.CultureInfo.InvariantCulture), Ct))!.AcknowledgedAt);
    }

    [Fact]
    public async Task A_pc_page_lists_its_snapshots_timeline_policy_and_job_logs_and_queues_and_cancels_a_backup()
    {
        await using var env = await DashboardPcs.StartAsync();
        var (pcId, agent) = await env.EnrollAsync("reception");
        var job = await DashboardPcs.JobAsync(agent, succeed: true, 0, "first"u8.ToArray());
        var catalog = env.Server.Host.Services.GetRequiredService<ServerCatalog>();
        var snapshot = Assert.Single(await catalog.ListSnapshotsAsync(pcId, Ct));

        var page = await env.Dashboard.PageAsync("/pcs/" + pcId);
        Assert.Equal("reception", page.QuerySelector("h1")!.TextContent);
        Assert.Equal("green", page.QuerySelector(".pc-summary .state")!.ClassList[1]);
        var row = page.QuerySelector($"table.snapshots tr[data-snapshot='{snapshot.Id}']")!;
        // The Browse page takes the snapshot as "s" (BrowseModel.SnapshotId).
        Assert.Equal($"/pcs/{pcId}/browse?s={snapshot.Id}", row.QuerySelector("a")!.GetAttribute("href"));
        var days = page.QuerySelectorAll("ol.timeline li.day");
        Assert.Equal(60, days.Length);
        Assert.Contains("green", days[^1].ClassList);
        Assert.Contains("1 snapshot", days[^1].TextContent, StringComparison.Ordinal);
        Assert.Contains("grey", days[0].ClassList);
        Assert.Contains("daily from 6:00", page.QuerySelector("main")!.TextContent, StringComparison.Ordinal);
        var log = page.QuerySelector($"table.job-log tr[data-job='{job.Id}'] details pre")!;
        Assert.Contains("scanning /home", log.TextContent, StringComparison.Ordinal);

        var queued = await env.Dashboard.SubmitAsync("/pcs/" + pcId, new(), "form#backup-now");
        Assert.Equal(HttpStatusCode.Redirect, queued.StatusCode);
        var backup = (await catalog.ListJobsAsync(pcId, 10, Ct)).First(j => j.State == JobValues.Queued);
        Assert.Contains(await catalog.ListAuditAsync(20, Ct), e => e.Action == "request-backup" && e.Target == $"pc {pcId} job {backup.Id}");
        var withJob = await env.Dashboard.PageAsync(queued.Headers.Location!.OriginalString);
        Assert.NotNull(withJob.QuerySelector($"#active-jobs tr[data-job='{backup.Id}']"));

        var cancel = await env.Dashboard.SubmitAsync("/pcs/" + pcId, new(), $"form[data-cancel='{backup.Id}']");
        Assert.Equal(HttpStatusCode.Redirect, cancel.StatusCode);
        Assert.Equal(JobValues.Cancelled, (await catalog.GetJobAsync(backup.Id, Ct))!.State);
        Assert.Contains(await catalog.ListAuditAsync(20, Ct), e => e.Action == "cancel-job" && e.Target == $"job {backup.Id} pc {pcId}");

        Assert.Equal(HttpStatusCode.NotFound, (await env.Dashboard.GetAsync("/pcs/0123456789abcdef0123456789abcdef")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await env.Dashboard.GetAsync("/pcs/not-an-id")).StatusCode);
    }

    [Fact]
    public async Task Storage_shows_the_repository_figures_and_an_svg_growth_chart_with_its_table()
    {
        await using var env = await DashboardPcs.StartAsync();
        var (_, agent) = await env.EnrollAsync("storage-pc");
        await DashboardPcs.JobAsync(agent, succeed: true, 0, System.Security.Cryptography.RandomNumberGenerator.GetBytes(30_000), new byte[50_000]);
        var history = env.Server.Host.Services.GetRequiredService<StorageHistory>();
        Assert.NotNull(await history.SampleIfDueAsync(Ct));
        await env.AdvanceAsync(TimeSpan.FromDays(1));

        var page = await env.Dashboard.PageAsync("/storage");
        Assert.NotEqual("0 B", page.QuerySelector("#repository-size .figure")!.TextContent.Trim());
        Assert.EndsWith("×", page.QuerySelector("#compression-ratio .figure")!.TextContent.Trim(), StringComparison.Ordinal);
        var chart = page.QuerySelector("svg.chart")!;
        Assert.StartsWith("Repository size on disk over time", chart.QuerySelector("title")!.TextContent, StringComparison.Ordinal);
        Assert.StartsWith("M", chart.QuerySelector("path.line")!.GetAttribute("d"), StringComparison.Ordinal);
        Assert.Equal(2, page.QuerySelectorAll("details table.samples tbody tr").Length);
    }

    [Fact]
    public async Task A_restore_only_user_sees_the_pc_page_without_admin_actions_and_cannot_post_them()
    {
        await using var env = await DashboardPcs.StartAsync();
        var (pcId, agent) = await env.EnrollAsync("front-desk");
        await DashboardPcs.JobAsync(agent, succeed: true, 0, "data"u8.ToArray());
        var catalog = env.Server.Host.Services.GetRequiredService<ServerCatalog>();
        await catalog.AddJobAsync(new JobDto("0123456789abcdef0123456789abcdef", pcId, JobValues.Backup, JobValues.Queued, env.Clock.GetUtcNow(), null, null, null, null), null, Ct);
        await Users.AddAsync(env.Server, "clerk", Hort.Server.Dashboard.Auth.DashboardAuth.RestoreRole);
        using var clerk = new DashboardClient(env.Server);
        Assert.Equal(HttpStatusCode.Redirect, (await clerk.SignInAsync("clerk", TestServer.AdminPassword)).StatusCode);

        var page = await clerk.PageAsync("/pcs/" + pcId);
        Assert.NotNull(page.QuerySelector("table.snapshots tr[data-snapshot]"));
        Assert.Null(page.QuerySelector("form#backup-now"));
        Assert.Null(page.QuerySelector("form[data-cancel]"));
        Assert.Null(page.QuerySelector("a[href='/policies']"));
        var overview = await clerk.PageAsync("/");
        Assert.NotNull(overview.QuerySelector($"tr[data-pc='{pcId}']"));
        Assert.Null(overview.QuerySelector("a[href='/alerts']"));

        var token = await clerk.AntiforgeryTokenAsync("/pcs/" + pcId);
        foreach (var handler in new[] { "Backup", "Cancel&jobId=0123456789abcdef0123456789abcdef" })
        {
            var response = await clerk.PostAsync($"/pcs/{pcId}?handler={handler}", [new("__RequestVerificationToken", token)]);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/denied", new Uri(env.Server.Host.Address, response.Headers.Location!).AbsolutePath);
        }

        var jobs = await catalog.ListJobsAsync(pcId, 10, Ct);
        Assert.Equal(2, jobs.Count);
        Assert.Equal(JobValues.Queued, jobs.Single(j => j.Id == "0123456789abcdef0123456789abcdef").State);
    }
}
