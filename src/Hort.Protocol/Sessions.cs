namespace Hort.Protocol;

/// <summary>POST /api/v1/agent/sessions: start (or resume) the PC's backup session.</summary>
public sealed record SessionCreateRequest(string? JobId, IReadOnlyList<string> Paths, IReadOnlyList<string>? Excludes, DateTimeOffset StartedAt);

/// <summary>A backup session; <see cref="Resumed"/> is true when the PC's open session was returned.</summary>
public sealed record SessionResponse(string SessionId, string State, DateTimeOffset Created, bool Resumed);

/// <summary>POST …/known: which of these blob IDs (hex) does the server need from this PC?</summary>
public sealed record KnownRequest(IReadOnlyList<string> Ids)
{
    public const int MaxIds = 10_000;
}

/// <summary>The IDs of the request the PC must upload.</summary>
public sealed record KnownResponse(IReadOnlyList<string> Needed);

/// <summary>The answer to a batched upload: how many blobs it stored.</summary>
public sealed record UploadBatchResponse(int Stored);

/// <summary>The agent's counts for a snapshot; kept as information, never trusted for retention.</summary>
public sealed record SnapshotSummaryDto(long Files, long Directories, long TotalBytes, long Errors);

/// <summary>POST …/commit: write a snapshot of <see cref="Tree"/>.</summary>
public sealed record CommitRequest(
    string Tree,
    IReadOnlyList<string> Paths,
    IReadOnlyList<string>? Excludes,
    DateTimeOffset StartedAt,
    SnapshotSummaryDto? Summary);

/// <summary>The committed snapshot and the server's receive time it carries.</summary>
public sealed record CommitResponse(string SnapshotId, DateTimeOffset Time);

/// <summary>Values of the blob type route segment and session states.</summary>
public static class SessionValues
{
    public const string Data = "data";
    public const string Tree = "tree";

    public const string Open = "open";
    public const string Committed = "committed";
    public const string Abandoned = "abandoned";

    /// <summary>Closed by the server because its backup job was cancelled; nothing is committed from it.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The largest tree accepted, after decompression.</summary>
    public const int MaxTreeBytes = 64 << 20;

    /// <summary>The content encoding for zstd-compressed blob bodies.</summary>
    public const string ZstdEncoding = "zstd";

    /// <summary>The most blobs one batched upload may hold.</summary>
    public const int MaxBatchBlobs = 10_000;
}
