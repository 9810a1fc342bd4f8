using Hort.Protocol;
using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Jobs;
using Hort.Server.Notifications;

namespace Hort.Server.Dashboard.Health;

/// <summary>One PC on the overview: its state and why, its last successful backup, when the next one is due, its sizes.</summary>
public sealed record PcHealth(
    PcRecord Pc,
    PcVerdict Verdict,
    DateTimeOffset? LastSuccess,
    int? DaysSince,
    DateTimeOffset? NextRun,
    EffectivePolicyResponse Policy,
    SnapshotDto? Latest,
    long? DeduplicatedBytes);

/// <summary>A job that has not ended, with the progress its agent last reported (null before the first report).</summary>
public sealed record ActiveJob(JobDto Job, string PcName, JobProgress? Progress)
{
    /// <summary>0..1 when the total is known, else null (the bar is then indeterminate).</summary>
    public double? Fraction => Progress is { BytesTotal: > 0 and var total } p ? Math.Clamp((double)p.BytesDone / total, 0, 1) : null;
}

/// <summary>Everything the overview shows, as of <see cref="Now"/>.</summary>
public sealed record OverviewReport(
    DateTimeOffset Now,
    int RedDays,
    IReadOnlyList<PcHealth> Pcs,
    IReadOnlyList<ActiveJob> Jobs,
    long OpenAlerts,
    RepositoryFigures Figures,
    DiskSpace? Space)
{
    public int Count(PcState state) => Pcs.Count(p => p.Verdict.State == state);
}

/// <summary>Builds the overview and the PC pages' health from the catalog, the repository's figures and the agents' progress.</summary>
public sealed class HealthReports(ServerCatalog catalog, StoredSizes sizes, JobProgressBoard progress, HealthSettings settings, TimeProvider time)
{
    public async Task<OverviewReport> OverviewAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var redDays = await settings.RedDaysAsync(ct).ConfigureAwait(false);
        var pcs = await catalog.ListPcsAsync(ct).ConfigureAwait(false);
        var groups = (await catalog.ListGroupsAsync(ct).ConfigureAwait(false)).ToDictionary(g => g.Id, g => g.Policy, StringComparer.Ordinal);
        var latest = await catalog.LatestSnapshotsAsync(ct).ConfigureAwait(false);
        var ended = await catalog.LastEndedBackupsAsync(ct).ConfigureAwait(false);
        var figures = await sizes.GetAsync(ct).ConfigureAwait(false);
        var rows = pcs.Select(pc => Health(pc, pc.GroupId is { } g ? groups.GetValueOrDefault(g) : null, latest.GetValueOrDefault(pc.Id),
            ended.GetValueOrDefault(pc.Id), figures, now, redDays)).ToList();
        // Red first, then amber, then green: what needs attention is on top.
        rows = [.. rows.OrderByDescending(r => r.Verdict.State).ThenBy(r => r.Pc.Name, StringComparer.CurrentCultureIgnoreCase)];
        var jobs = await ActiveJobsAsync(null, pcs, ct).ConfigureAwait(false);
        var alerts = await catalog.OpenAlertCountAsync(ct).ConfigureAwait(false);
        return new OverviewReport(now, redDays, rows, jobs, alerts, figures, settings.Space());
    }

    /// <summary>Days without a successful backup that turn a PC red.</summary>
    public Task<int> RedDaysAsync(CancellationToken ct) => settings.RedDaysAsync(ct);

    /// <summary>One PC's health (for its page), or null when there is no such PC.</summary>
    public async Task<PcHealth?> PcAsync(string pcId, CancellationToken ct)
    {
        if (await catalog.GetPcAsync(pcId, ct).ConfigureAwait(false) is not { } pc) return null;
        var now = time.GetUtcNow();
        var redDays = await settings.RedDaysAsync(ct).ConfigureAwait(false);
        var group = pc.GroupId is { } g ? (await catalog.GetGroupAsync(g, ct).ConfigureAwait(false))?.Policy : null;
        var latest = (await catalog.LatestSnapshotsAsync(ct).ConfigureAwait(false)).GetValueOrDefault(pc.Id);
        var ended = (await catalog.LastEndedBackupsAsync(ct).ConfigureAwait(false)).GetValueOrDefault(pc.Id);
        return Health(pc, group, latest, ended, await sizes.GetAsync(ct).ConfigureAwait(false), now, redDays);
    }

    /// <summary>Jobs that have not ended, of one PC or of all, with their live progress.</summary>
    public async Task<IReadOnlyList<ActiveJob>> ActiveJobsAsync(string? pcId, IReadOnlyList<PcRecord>? pcs, CancellationToken ct)
    {
        var open = await catalog.OpenJobsAsync(ct).ConfigureAwait(false);
        pcs ??= await catalog.ListPcsAsync(ct).ConfigureAwait(false);
        var names = pcs.ToDictionary(p => p.Id, p => p.Name, StringComparer.Ordinal);
        return [.. open.Where(j => pcId is null || j.PcId == pcId)
            .Select(j => new ActiveJob(j, names.GetValueOrDefault(j.PcId, j.PcId), progress.Latest(j.Id)))];
    }

    private PcHealth Health(PcRecord pc, PolicyDto? groupPolicy, SnapshotDto? latest, EndedBackup? ended, RepositoryFigures figures,
        DateTimeOffset now, int redDays)
    {
        var policy = PolicyAdmin.Effective(pc, groupPolicy);
        var lastSuccess = latest?.Time;
        var verdict = PcStates.Judge(now, redDays, pc.Enrolled, pc.Revoked, lastSuccess, ended);
        var next = PcStates.NextRun(policy.Policy.Window, now, time.LocalTimeZone, lastSuccess, pc.Revoked);
        return new PcHealth(pc, verdict, lastSuccess, lastSuccess is { } t ? PcStates.DaysSince(now, t) : null, next, policy, latest,
            figures.PcStoredBytes.TryGetValue(pc.Id, out var dedup) ? dedup : null);
    }
}
