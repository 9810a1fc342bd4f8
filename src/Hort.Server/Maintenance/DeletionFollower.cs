using Hort.Core;
using Hort.Server.Catalog;
using Hort.Server.Hosting;

namespace Hort.Server.Maintenance;

/// <summary>What following the deletion records found.</summary>
/// <param name="Acknowledged">Records hortd acknowledged in this call (their packs may be deleted now).</param>
/// <param name="Pending">Deletion records in the repository.</param>
/// <param name="WaitingForSessions">Open backup sessions that keep hortd from acknowledging new records (0 when none do).</param>
public sealed record DeletionFollowResult(int Acknowledged, int Pending, long WaitingForSessions);

/// <summary>
/// hortd holds one backup lease for as long as it runs. A prune (its own, or <c>hort prune</c> beside it) announces a
/// deletion, then must wait until every lease acknowledges the record (format spec 11.5). This follows the records:
/// when a new one appears and no backup session that may rely on the announced packs is open, it reloads the index
/// without those packs — under the <see cref="CommitGate"/>, so no commit checked against the old index is still
/// writing — and then acknowledges the record on the lease. A session opened before that and still running when it
/// commits is checked against the new index, so it is refused rather than committed over deleted data.
/// </summary>
public sealed partial class DeletionFollower(
    HostedRepository hosted, CommitGate gate, ServerCatalog catalog, HortdOptions options, TimeProvider time, ILogger<DeletionFollower> log)
{
    private readonly SemaphoreSlim _running = new(1, 1);
    private HashSet<ObjectId> _acknowledged = [.. hosted.Acknowledged];

    /// <summary>Reads the deletion records and acknowledges new ones when it is safe.</summary>
    public async Task<DeletionFollowResult> FollowAsync(CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // After the lease lapsed, a prune may have judged it stale and deleted packs without hortd seeing the
            // record: write the lease again, then reload everything from what storage holds before committing again.
            var lapses = await LapsesAsync(cancellationToken).ConfigureAwait(false);
            var lapsed = lapses != gate.LeaseLapsesHandled;
            var records = await hosted.Repository.ReadDeletionRecordsAsync(cancellationToken).ConfigureAwait(false);
            var fresh = records.Count(r => !_acknowledged.Contains(r.Id));
            if (!lapsed && fresh == 0 && records.Count == _acknowledged.Count)
            {
                return new DeletionFollowResult(0, records.Count, 0);
            }

            // Records that are gone were finished: reloading brings back the packs a prune rescued. New records wait
            // for the sessions that may rely on their packs.
            var since = time.GetUtcNow() - TimeSpan.FromHours(options.Maintenance.WaitForSessionsHours);
            var open = fresh == 0 || lapsed ? 0 : await catalog.CountOpenSessionsSinceAsync(since, cancellationToken).ConfigureAwait(false);
            if (open > 0)
            {
                LogWaiting(log, fresh, open);
                return new DeletionFollowResult(0, records.Count, open);
            }

            IReadOnlyList<ObjectId> seen;
            using (await gate.EnterExclusiveAsync(cancellationToken).ConfigureAwait(false))
            {
                seen = await hosted.Repository.RefreshIndexForWritingAsync(dropMissingPacks: lapsed, cancellationToken).ConfigureAwait(false);
                if (lapsed || seen.Any(id => !_acknowledged.Contains(id)))
                {
                    // A verified tree lets a commit skip its subtree; one verified before the deletion may name
                    // announced packs, so every subtree is checked against the new index again.
                    await catalog.ClearVerifiedTreesAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await hosted.Lease.AcknowledgeAsync(seen, cancellationToken).ConfigureAwait(false);
            var acknowledged = seen.Count(id => !_acknowledged.Contains(id));
            _acknowledged = [.. seen];
            if (lapsed)
            {
                gate.LeaseLapsesHandled = lapses;
                LogLapseHandled(log, lapses);
            }

            LogAcknowledged(log, acknowledged, hosted.Repository.Index.PackCount);
            return new DeletionFollowResult(acknowledged, seen.Count, 0);
        }
        finally
        {
            _running.Release();
        }
    }

    /// <summary>The lease's lapses, after making sure a lapse going on now is counted and the lease is fresh again.</summary>
    private async Task<int> LapsesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await hosted.Lease.EnsureHeldAsync(gate.LeaseLapsesHandled, cancellationToken).ConfigureAwait(false);
            return hosted.Lease.Lapses;
        }
        catch (HortException)
        {
            // Lapsed: write it now (before the state is reloaded), so that what is reloaded is covered by a fresh lease.
            await hosted.Lease.AcknowledgeAsync([.. _acknowledged], cancellationToken).ConfigureAwait(false);
            return hosted.Lease.Lapses;
        }
    }

    [LoggerMessage(EventId = 702, Level = LogLevel.Warning, Message = "the repository lease had lapsed ({Lapses} times so far); hortd reloaded its index from storage and its verified trees before committing again")]
    private static partial void LogLapseHandled(ILogger logger, int lapses);

    [LoggerMessage(EventId = 700, Level = LogLevel.Information, Message = "reloaded the index without the packs of {Count} announced deletions ({Packs} packs remain) and acknowledged them")]
    private static partial void LogAcknowledged(ILogger logger, int count, int packs);

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "{Count} announced deletions wait for {Sessions} open backup sessions")]
    private static partial void LogWaiting(ILogger logger, int count, long sessions);
}
