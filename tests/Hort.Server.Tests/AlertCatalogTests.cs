using Hort.Protocol;
using Hort.Server.Catalog;

namespace Hort.Server.Tests;

/// <summary>Alerts and maintenance runs in the catalog, against SQLite and PostgreSQL (see <see cref="CatalogTests"/>).</summary>
[Trait("Category", "Catalog")]
public sealed class AlertCatalogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Providers() => CatalogTests.Providers();

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Alerts_are_raised_merged_acknowledged_and_raised_anew(string provider)
    {
        var (options, cleanup) = await CatalogTests.FreshAsync(provider);
        try
        {
            await using var catalog = await ServerCatalog.OpenAsync(options, Ct);
            var t0 = new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero);
            var damage = new AlertRaise(AlertKinds.DamageFound, AlertSeverity.Error, null, "data/ab/ab12", "pack damaged");
            var id = await catalog.RaiseAlertAsync(damage, t0, once: false, Ct);
            Assert.Equal(id, await catalog.RaiseAlertAsync(damage with { Message = "pack damaged again" }, t0.AddHours(1), once: false, Ct));
            var pcAlert = await catalog.RaiseAlertAsync(new AlertRaise(AlertKinds.RetentionFailed, AlertSeverity.Error, "pc1", "retention", "failed"), t0, false, Ct);
            Assert.NotEqual(id, pcAlert);

            var merged = (await catalog.GetAlertAsync(id, Ct))!;
            Assert.Equal((2L, "pack damaged again", t0, t0.AddHours(1)), (merged.Occurrences, merged.Message, merged.FirstSeen, merged.LastSeen));
            Assert.Null(merged.PcId);
            Assert.Equal([pcAlert], (await catalog.ListAlertsAsync(false, "pc1", 10, Ct)).Select(a => a.Id));

            Assert.True(await catalog.AcknowledgeAlertAsync(id, "admin", t0.AddHours(2), Ct));
            Assert.True(await catalog.AcknowledgeAlertAsync(id, "other", t0.AddHours(3), Ct));
            var acknowledged = (await catalog.GetAlertAsync(id, Ct))!;
            Assert.Equal(("admin", t0.AddHours(2)), (acknowledged.AcknowledgedBy, acknowledged.AcknowledgedAt));
            Assert.False(await catalog.AcknowledgeAlertAsync(12345, "admin", t0, Ct));
            Assert.Equal([pcAlert], (await catalog.ListAlertsAsync(false, null, 10, Ct)).Select(a => a.Id));

            // Found again after it was acknowledged: a new alert. A once-only alert is never raised twice.
            Assert.NotEqual(id, await catalog.RaiseAlertAsync(damage, t0.AddHours(4), once: false, Ct));
            var job = new AlertRaise(AlertKinds.BackupFailed, AlertSeverity.Error, "pc1", "job j1", "failed");
            var jobAlert = await catalog.RaiseAlertAsync(job, t0, once: true, Ct);
            Assert.True(await catalog.AcknowledgeAlertAsync(jobAlert, "admin", t0, Ct));
            Assert.Equal(jobAlert, await catalog.RaiseAlertAsync(job, t0.AddHours(1), once: true, Ct));
            Assert.Equal(4, (await catalog.ListAlertsAsync(true, null, 10, Ct)).Count);
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Maintenance_runs_are_recorded_and_listed_newest_first(string provider)
    {
        var (options, cleanup) = await CatalogTests.FreshAsync(provider);
        try
        {
            await using var catalog = await ServerCatalog.OpenAsync(options, Ct);
            var t0 = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
            var prune = await catalog.StartMaintenanceRunAsync(MaintenanceKind.Prune, "schedule", t0, Ct);
            await catalog.FinishMaintenanceRunAsync(prune, t0.AddMinutes(5), MaintenanceResult.Deferred, "waits", Ct);
            var verify = await catalog.StartMaintenanceRunAsync(MaintenanceKind.Verify, "admin", t0.AddHours(1), Ct);

            var runs = await catalog.ListMaintenanceRunsAsync(null, 10, Ct);
            Assert.Equal([verify, prune], runs.Select(r => r.Id));
            Assert.Equal((MaintenanceResult.Running, (DateTimeOffset?)null), (runs[0].Result, runs[0].Finished));
            Assert.Equal(new MaintenanceRunDto(prune, MaintenanceKind.Prune, "schedule", t0, t0.AddMinutes(5), MaintenanceResult.Deferred, "waits"), runs[1]);
            Assert.Equal([prune], (await catalog.ListMaintenanceRunsAsync(MaintenanceKind.Prune, 10, Ct)).Select(r => r.Id));
        }
        finally
        {
            await cleanup();
        }
    }
}
