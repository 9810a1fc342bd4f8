using Hort.Core;
using Hort.Protocol;
using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Security;
using Hort.Server.Sessions;

namespace Hort.Server.Jobs;

/// <summary>
/// What an administrator asks of a PC's jobs — back up now, cancel — done the same way for the API and the dashboard:
/// the job is written, the agent's long poll woken and the action audited.
/// </summary>
internal sealed class JobRequests(ServerCatalog catalog, BackupSessions sessions, CommandSignals signals, AuditLog audit, TimeProvider time)
{
    /// <summary>Queues a backup of the PC (which must exist) and wakes its agent.</summary>
    public async Task<JobDto> QueueBackupAsync(HttpContext context, string pcId, CancellationToken ct)
    {
        var job = new JobDto(Ids.New(), pcId, JobValues.Backup, JobValues.Queued, time.GetUtcNow(), null, null, null, "requested by an administrator");
        await catalog.AddJobAsync(job, null, ct).ConfigureAwait(false);
        signals.Pulse(pcId);
        await audit.RecordAsync(context, "request-backup", $"pc {pcId} job {job.Id}").ConfigureAwait(false);
        return job;
    }

    /// <summary>
    /// Cancels a job: a queued one ends as cancelled at once, a started one becomes cancelling (a backup's session is
    /// closed and the agent told to stop). Returns the state afterwards and the job, or a null job when it had already ended.
    /// </summary>
    public async Task<(string? State, JobDto? Job)> CancelAsync(HttpContext context, JobDto job, CancellationToken ct)
    {
        if (job.Finished is not null) return (job.State, null);
        var admin = context.User.AdminName();
        var now = time.GetUtcNow();
        var state = await catalog.CancelJobAsync(job.Id, now, "cancelled by " + admin, ct).ConfigureAwait(false);
        if (state is not (JobValues.Cancelled or JobValues.Cancelling)) return (state, null);

        string line;
        if (state == JobValues.Cancelled)
        {
            line = $"cancelled by {admin} before it started";
        }
        else if (job.Kind == JobValues.Backup && await sessions.CancelOpenSessionAsync(job.PcId, ct).ConfigureAwait(false) is { } session)
        {
            line = $"cancel requested by {admin}: backup session {session} closed, nothing of it will be committed (what it uploaded stays stored for the next backup); waiting for the agent to stop";
        }
        else
        {
            line = $"cancel requested by {admin}; waiting for the agent to stop";
        }

        await catalog.AddJobLogAsync(job.Id, [new JobLogEntry(now, "info", line)], ct).ConfigureAwait(false);
        await audit.RecordAsync(context, "cancel-job", $"job {job.Id} pc {job.PcId}").ConfigureAwait(false);
        var after = await catalog.GetJobAsync(job.Id, ct).ConfigureAwait(false);
        // A cancel command is now queued for the agent: wake its poll (only now, so the answer shows the job as cancelling).
        if (state == JobValues.Cancelling) signals.Pulse(job.PcId);
        return (state, after);
    }
}
