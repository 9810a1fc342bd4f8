using Hort.Protocol;
using Hort.Server.Dashboard.Text;

namespace Hort.Server.Dashboard.Health;

/// <summary>The words for states, reasons, job kinds and next runs (overview.tsv), shared by the overview and the PC page.</summary>
public static class PcStateText
{
    public static string State(PageText text, PcState state) => state switch
    {
        PcState.Green => text["state.green"],
        PcState.Amber => text["state.amber"],
        _ => text["state.red"],
    };

    public static string Reason(PageText text, PcVerdict verdict, int redDays) => verdict.Reason switch
    {
        PcStateReason.Recent => text["state.reason.recent"],
        PcStateReason.OlderThanADay => text["state.reason.olderThanADay"],
        PcStateReason.Partial => text["state.reason.partial"],
        PcStateReason.NotYetBackedUp => text["state.reason.notYetBackedUp"],
        PcStateReason.NoBackupForDays => text.Format("state.reason.noBackupForDays", redDays),
        PcStateReason.LastJobFailed => text["state.reason.lastJobFailed"],
        _ => text["state.reason.revoked"],
    };

    /// <summary>"due now" when the backup is due, the time of the next window opening, or a dash for a revoked PC.</summary>
    public static string NextRun(PageText text, DateTimeOffset? next, DateTimeOffset now, TimeProvider clock) =>
        next is not { } t ? "–" : t <= now ? text["overview.dueNow"] : Display.Time(t, clock);

    public static string JobKind(PageText text, string kind) => kind switch
    {
        JobValues.Backup => text["jobs.kind.backup"],
        JobValues.Restore => text["jobs.kind.restore"],
        _ => kind,
    };

    public static string JobState(PageText text, string state) => state switch
    {
        JobValues.Queued => text["jobs.state.queued"],
        JobValues.Waiting => text["jobs.state.waiting"],
        JobValues.Running => text["jobs.state.running"],
        JobValues.Cancelling => text["jobs.state.cancelling"],
        JobValues.Succeeded => text["jobs.state.succeeded"],
        JobValues.Failed => text["jobs.state.failed"],
        JobValues.Cancelled => text["jobs.state.cancelled"],
        _ => state,
    };
}
