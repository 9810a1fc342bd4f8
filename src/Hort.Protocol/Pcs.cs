namespace Hort.Protocol;

/// <summary>A PC as administrators see it.</summary>
public sealed record PcDto(
    string Id,
    string Name,
    string Hostname,
    string? GroupId,
    DateTimeOffset Enrolled,
    DateTimeOffset? LastSeen,
    bool Revoked,
    DateTimeOffset? LastSnapshot);

/// <summary>PATCH /api/v1/pcs/{pcId}: members left null stay as they are; an empty group ID removes the PC from its group.</summary>
public sealed record PcUpdateRequest(string? Name, string? GroupId);

/// <summary>A group of PCs sharing a policy.</summary>
public sealed record GroupDto(string Id, string Name, bool HasPolicy);

/// <summary>POST /api/v1/groups.</summary>
public sealed record GroupCreateRequest(string Name);

/// <summary>A snapshot as listed by the server; <see cref="Time"/> is when the server received it.</summary>
public sealed record SnapshotDto(
    string Id,
    string PcId,
    DateTimeOffset Time,
    string Hostname,
    IReadOnlyList<string> Paths,
    string Tree,
    long Files,
    long TotalBytes);

/// <summary>Naming rules for PCs and groups.</summary>
public static class Names
{
    public const int MaxLength = 200;

    /// <summary>Why <paramref name="name"/> is not acceptable as a display name, or null.</summary>
    public static string? Problem(string? name) => name switch
    {
        null => "a name is required",
        _ when string.IsNullOrWhiteSpace(name) => "a name is required",
        { Length: > MaxLength } => $"a name has at most {MaxLength} characters",
        _ when name.Any(char.IsControl) => "a name may not contain control characters",
        _ => null,
    };
}
