using System.Net;
using System.Text;
using Hort.Core;
using Hort.Protocol;
using Hort.Server.Maintenance;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests;

/// <summary>Scheduled retention and verification inside a real hortd over a real repository, and the alerts they raise.</summary>
public sealed class MaintenanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static DateTimeOffset Utc(int day, int hour) => new(2026, 11, day, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Retention_keeps_exactly_what_the_policy_says_by_receive_time_and_the_history_lock_holds_the_rest()
    {
        var clock = new ManualClock(Utc(11, 9));
        var options = TestServer.NewOptions();
        options.AdminTokenHours = 24 * 30;
        options.Maintenance.Enabled = false; // runs only when asked, at the times the test sets
        await using var server = await TestServer.StartAsync(options, clock);
        var maintenance = server.Host.Services.GetRequiredService<MaintenanceService>();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var policy = PolicyDto.Default with { Keep = new RetentionRule(2, 2, 0) };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync(Routes.Format(Routes.PcPolicy, pc.PcId), policy, ProtocolJson.Default.PolicyDto)).StatusCode);

        // Received on Wed and Fri of ISO week 46, Mon, Tue twice and Wed of week 47. The agent claims the same start
        // time (1970) for all of them: its clock is never used.
        var uploads = new AgentUploads(client, pc);
        foreach (var at in new[] { Utc(11, 10), Utc(13, 10), Utc(16, 10), Utc(17, 10), Utc(17, 15), Utc(18, 10) })
        {
            clock.Set(at);
            await maintenance.TickAsync(Ct); // the clock jumped past the lease's refresh timer: a lapse, handled here
            Assert.Equal(at, (await uploads.BackupAsync(Encoding.UTF8.GetBytes($"received {at:u}"))).Time);
        }

        // The policy keeps 2 daily: Wed 18 10:00 and Tue 17 15:00, and 2 weekly: week 47 (Wed 18, kept already) and
        // week 46 (Fri 13 10:00). It forgets Wed 11, Mon 16 and Tue 17 10:00.
        clock.Set(Utc(18, 12));
        using (var repository = await ServedRepository.OpenAsync(options, clock))
        {
            await repository.SetHistoryLockAsync(2, "test", "test", Ct); // protects what hortd received after Mon 16 12:00
        }

        var first = await RunAsync(admin, "retention");
        Assert.Equal(MaintenanceResult.Succeeded, first.Result);
        Assert.Contains("forgot 2 snapshots, 1 kept by the history lock", first.Summary, StringComparison.Ordinal);
        Assert.Equal(
            [Utc(13, 10), Utc(17, 10), Utc(17, 15), Utc(18, 10)],
            await TimesAsync(admin, pc.PcId, options));

        // Three days later the lock no longer protects Tue 10:00; the history is exactly what the policy keeps.
        clock.Set(Utc(21, 12));
        var second = await RunAsync(admin, "retention");
        Assert.Contains("forgot 1 snapshots, 0 kept by the history lock", second.Summary, StringComparison.Ordinal);
        Assert.Equal([Utc(13, 10), Utc(17, 15), Utc(18, 10)], await TimesAsync(admin, pc.PcId, options));
        Assert.Empty(await admin.GetAsync(Routes.Alerts, ProtocolJson.Default.IReadOnlyListAlertDto));
    }

    [Fact]
    public async Task Verification_finds_a_flipped_bit_and_raises_an_alert_naming_the_object_that_only_an_admin_acknowledges()
    {
        var options = TestServer.NewOptions();
        options.Maintenance.VerifyReadAllDataDays = 1;
        await using var server = await TestServer.StartAsync(options);
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var uploads = new AgentUploads(client, pc);
        var precious = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("precious data ", 200)));
        await uploads.BackupAsync(precious);

        var clean = await RunAsync(admin, "verify");
        Assert.Equal(MaintenanceResult.Succeeded, clean.Result);
        Assert.True(File.Exists(Path.Combine(options.DataDirectory, "verify-state.json")));

        string pack;
        using (var repository = await ServedRepository.OpenAsync(options))
        {
            Assert.True(repository.Index.TryGet(ObjectId.Parse(uploads.Id(precious)), out var location));
            pack = location.PackId.ToString();
            var path = Path.Combine(options.ResolvedRepositoryPath, "data", pack[..2], pack);
            var bytes = await File.ReadAllBytesAsync(path, Ct);
            bytes[location.Entry.Offset + (location.Entry.StoredLength / 2)] ^= 0x10;
            await File.WriteAllBytesAsync(path, bytes, Ct);
        }

        var damaged = await RunAsync(admin, "verify");
        Assert.Equal(MaintenanceResult.ProblemsFound, damaged.Result);
        // As hort check reports it: the pack does not match its name, and the blob in it does not authenticate.
        var alerts = await admin.GetAsync(Routes.Alerts, ProtocolJson.Default.IReadOnlyListAlertDto);
        Assert.Equal(2, alerts.Count);
        Assert.All(alerts, a =>
        {
            Assert.Equal((AlertKinds.DamageFound, AlertSeverity.Error), (a.Kind, a.Severity));
            Assert.Contains(pack, a.Subject, StringComparison.Ordinal);
            Assert.Contains(": /file", a.Message, StringComparison.Ordinal);
        });
        Assert.Contains(alerts, a => a.Subject.Contains(uploads.Id(precious), StringComparison.Ordinal));

        // Found again: the same alerts, each seen twice.
        await RunAsync(admin, "verify");
        Assert.All(await admin.GetAsync(Routes.Alerts, ProtocolJson.Default.IReadOnlyListAlertDto), a => Assert.Equal(2, a.Occurrences));
        var alert = alerts[0];

        // An agent credential can neither read nor acknowledge alerts, nor run maintenance.
        var acknowledge = Routes.Format(Routes.AlertAcknowledge, alert.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(Routes.Alerts, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync(acknowledge, null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(Routes.Maintenance, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync(Routes.Format(Routes.MaintenanceRun, "prune"), null, Ct)).StatusCode);
        Assert.Equal(2, (await admin.GetAsync(Routes.Alerts, ProtocolJson.Default.IReadOnlyListAlertDto)).Count);

        var acknowledged = await (await admin.PostAsync(acknowledge, null, Ct)).ReadAsync(ProtocolJson.Default.AlertDto);
        Assert.Equal("admin", acknowledged.AcknowledgedBy);
        Assert.NotNull(acknowledged.AcknowledgedAt);
        Assert.Equal(alerts[1].Id, Assert.Single(await admin.GetAsync(Routes.Alerts, ProtocolJson.Default.IReadOnlyListAlertDto)).Id);
        Assert.Equal(2, (await admin.GetAsync(Routes.Alerts + "?all=true", ProtocolJson.Default.IReadOnlyListAlertDto)).Count);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync(Routes.Format(Routes.AlertAcknowledge, "999"), null, Ct)).StatusCode);
        var audit = await admin.GetAsync(Routes.Audit, ProtocolJson.Default.IReadOnlyListAuditEntryDto);
        Assert.Contains(audit, a => a.Action == "acknowledge-alert" && a.Target == $"alert {alert.Id}");
        Assert.Contains(audit, a => a.Action == "run-maintenance" && a.Target == "verify");

        var history = await admin.GetAsync(Routes.Maintenance, ProtocolJson.Default.MaintenanceStatusResponse);
        Assert.Equal(
            [MaintenanceResult.ProblemsFound, MaintenanceResult.ProblemsFound, MaintenanceResult.Succeeded],
            history.Runs.Where(r => r.Kind == MaintenanceKind.Verify).Select(r => r.Result));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync(Routes.Format(Routes.MaintenanceRun, "defrag"), null, Ct)).StatusCode);
    }

    [Fact]
    public async Task A_failed_backup_job_raises_an_alert_for_its_pc_once()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var job = await (await client.PostAsync(Routes.AgentJobs, new AgentJobCreateRequest(JobValues.Backup), ProtocolJson.Default.AgentJobCreateRequest))
            .ReadAsync(ProtocolJson.Default.JobDto);
        var result = await client.PostAsync(Routes.Format(Routes.AgentJobResult, job.Id), new JobResult(false, null, 0, "the disk /home could not be read"),
            ProtocolJson.Default.JobResult);
        Assert.Equal(HttpStatusCode.NoContent, result.StatusCode);

        var alert = Assert.Single(await admin.GetAsync(Routes.Alerts + "?pcId=" + pc.PcId, ProtocolJson.Default.IReadOnlyListAlertDto));
        Assert.Equal((AlertKinds.BackupFailed, pc.PcId, "job " + job.Id), (alert.Kind, alert.PcId, alert.Subject));
        Assert.Contains("could not be read", alert.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_lists_the_alert_and_maintenance_routes()
    {
        await using var server = await TestServer.StartAsync();
        var text = await server.Client().GetStringAsync(Routes.OpenApiDocument, Ct);
        foreach (var route in new[] { Routes.Alerts, Routes.AlertAcknowledge, Routes.Maintenance, Routes.MaintenanceRun })
        {
            Assert.Contains($"\"{route}\"", text, StringComparison.Ordinal);
        }
    }

    private static async Task<MaintenanceRunDto> RunAsync(HttpClient admin, string kind)
    {
        var response = await admin.PostAsync(Routes.Format(Routes.MaintenanceRun, kind) + "?wait=true", null, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync(ProtocolJson.Default.MaintenanceRunDto);
    }

    /// <summary>The receive times of the PC's snapshots, oldest first, as the catalog and the repository both hold them.</summary>
    private static async Task<DateTimeOffset[]> TimesAsync(HttpClient admin, string pcId, Hosting.HortdOptions options)
    {
        var listed = (await admin.GetAsync(Routes.Format(Routes.PcSnapshots, pcId), ProtocolJson.Default.IReadOnlyListSnapshotDto))
            .Select(s => s.Time).Order().ToArray();
        using var repository = await ServedRepository.OpenAsync(options);
        Assert.Equal(listed, (await repository.ListSnapshotsAsync(Ct)).Select(s => s.Snapshot.Time).Order().ToArray());
        return listed;
    }
}
