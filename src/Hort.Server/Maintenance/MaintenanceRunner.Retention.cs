using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Retention;
using Hort.Repository.Snapshots;
using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Sessions;

namespace Hort.Server.Maintenance;

public sealed partial class MaintenanceRunner
{
    /// <summary>
    /// The time a snapshot is judged by: when hortd received it. hortd writes each snapshot's time from its own clock
    /// at commit (the agent's clock is only in the summary's start time), so this is the snapshot's time.
    /// </summary>
    internal static DateTimeOffset ReceivedAt(StoredSnapshot snapshot) => snapshot.Snapshot.Time;

    /// <summary>
    /// For each PC: applies the keep rules of its effective policy to its snapshots by receive time and forgets the
    /// rest, except those the history lock protects (they are kept and counted). A PC that fails raises an alert and the
    /// others go on. Snapshots without a PC tag (made with <c>hort backup</c>) are left alone.
    /// </summary>
    private async Task<RunOutcome> RetentionAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var byPc = (await Repository.ListSnapshotsAsync(ct).ConfigureAwait(false))
            .Select(s => (PcId: PcOf(s.Snapshot), Snapshot: s))
            .Where(static x => x.PcId is not null)
            .GroupBy(static x => x.PcId!, static x => x.Snapshot, StringComparer.Ordinal);
        int pcs = 0, forgotten = 0, locked = 0, failed = 0;
        foreach (var group in byPc)
        {
            try
            {
                var (gone, held) = await ApplyRetentionAsync(group.Key, [.. group], now, ct).ConfigureAwait(false);
                pcs++;
                forgotten += gone;
                locked += held;
            }
            catch (Exception e) when (e is Core.HortException or IOException)
            {
                failed++;
                await alerts.RaiseAsync(new AlertRaise(AlertKinds.RetentionFailed, AlertSeverity.Error, group.Key, "retention",
                    $"retention for this PC failed; nothing of its history was forgotten: {e.Message}"), ct).ConfigureAwait(false);
            }
        }

        var summary = $"{pcs} PCs, forgot {forgotten} snapshots, {locked} kept by the history lock" + (failed > 0 ? $", {failed} PCs failed" : "");
        return new RunOutcome(failed > 0 ? MaintenanceResult.ProblemsFound : MaintenanceResult.Succeeded, summary);
    }

    private async Task<(int Forgotten, int Locked)> ApplyRetentionAsync(string pcId, List<StoredSnapshot> snapshots, DateTimeOffset now, CancellationToken ct)
    {
        var pc = await catalog.GetPcAsync(pcId, ct).ConfigureAwait(false);
        if (pc is null)
        {
            return (0, 0); // a PC the catalog does not know (deleted): its history stays until an admin forgets it
        }

        var keep = (await PolicyEndpoints.EffectiveAsync(catalog, pc, ct).ConfigureAwait(false)).Policy.Keep;
        var policy = new RetentionPolicy { KeepDaily = keep.Daily, KeepWeekly = keep.Weekly, KeepMonthly = keep.Monthly };
        if (policy.IsEmpty)
        {
            return (0, 0); // policies are validated to keep something; never forget everything
        }

        var forget = policy.Apply(snapshots, ReceivedAt, now, time.LocalTimeZone).Where(static d => !d.Keep).Select(static d => d.Item).ToList();
        if (forget.Count == 0)
        {
            return (0, 0);
        }

        var historyLock = await Repository.ReadHistoryLockAsync(ct).ConfigureAwait(false);
        var unlocked = forget.Where(s => !historyLock.Protects(ReceivedAt(s), now)).ToList();
        if (unlocked.Count > 0)
        {
            // Checks the lock again before deleting anything, so a lock raised meanwhile still holds.
            await Repository.ForgetSnapshotsAsync(unlocked, ReceivedAt, ct).ConfigureAwait(false);
            await catalog.RemoveSnapshotsAsync([.. unlocked.Select(static s => s.Id.ToString())], ct).ConfigureAwait(false);
        }

        return (unlocked.Count, forget.Count - unlocked.Count);
    }

    private static string? PcOf(Snapshot snapshot) =>
        snapshot.Tags.FirstOrDefault(static t => t.StartsWith(BackupSessions.PcTagPrefix, StringComparison.Ordinal)) is { } tag
            ? tag[BackupSessions.PcTagPrefix.Length..]
            : null;
}
