namespace Hort.Protocol;

/// <summary>A backup or restore job of one PC.</summary>
public sealed record JobDto(
    string Id,
    string PcId,
    string Kind,
    string State,
    DateTimeOffset Created,
    DateTimeOffset? Started,
    DateTimeOffset? Finished,
    string? SnapshotId,
    string? Message);

/// <summary>Kinds and states of jobs as they appear on the wire.</summary>
public static class JobValues
{
    public const string Backup = "backup";
    public const string Restore = "restore";

    /// <summary>The command kind that asks the agent to stop a running job.</summary>
    public const string Cancel = "cancel";

    public const string Queued = "queued";
    public const string Running = "running";

    /// <summary>A backup waiting for one of the server's backup slots (<c>Jobs:MaxConcurrentBackups</c>).</summary>
    public const string Waiting = "waiting";

    /// <summary>An administrator cancelled the job; it ends as <see cref="Cancelled"/> when the agent has stopped it.</summary>
    public const string Cancelling = "cancelling";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>One line of a job's log.</summary>
public sealed record JobLogEntry(DateTimeOffset Time, string Level, string Message);

/// <summary>POST /api/v1/pcs/{pcId}/restores: which snapshot, which paths (all when empty), and where (original place when null).</summary>
public sealed record RestoreRequest(string SnapshotId, IReadOnlyList<string>? Paths, string? Target);

/// <summary>POST /api/v1/agent/jobs/{jobId}/progress.</summary>
public sealed record JobProgress(string State, long FilesDone, long BytesDone, long? BytesTotal, string? Message);

/// <summary>POST /api/v1/agent/jobs/{jobId}/result; <see cref="Cancelled"/> when the agent stopped the job because it was cancelled.</summary>
public sealed record JobResult(bool Succeeded, string? SnapshotId, long ErrorCount, string? Message, bool Cancelled = false);

/// <summary>A command for an agent, received by long poll (protocol.md §5).</summary>
public sealed record AgentCommand(string Id, string Kind, string? JobId, PolicyDto? Policy, RestoreRequest? Restore);

/// <summary>POST /api/v1/agent/jobs: the agent starts a job on its own (a scheduled or catch-up backup).</summary>
public sealed record AgentJobCreateRequest(string Kind);
