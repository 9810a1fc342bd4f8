namespace Hort.Protocol;

/// <summary>POST /api/v1/enrollment-codes.</summary>
public sealed record EnrollmentCodeCreateRequest(string? GroupId, string? PcName, int ValidHours = 24)
{
    public const int MaxValidHours = 24 * 30;
}

/// <summary>An enrollment code as listed (the code itself is shown only once, at creation).</summary>
public sealed record EnrollmentCodeDto(
    string Id,
    string? GroupId,
    string? PcName,
    DateTimeOffset Created,
    DateTimeOffset Expires,
    string State,
    string? PcId);

/// <summary>The answer to creating a code: the code (shown once) and the fingerprint the agent must pin.</summary>
public sealed record EnrollmentCodeCreated(string Id, string Code, DateTimeOffset Expires, string ServerFingerprint);

/// <summary>POST /api/v1/agent/enroll.</summary>
public sealed record EnrollRequest(string Code, string Hostname, string OperatingSystem, string AgentVersion);

/// <summary>The chunker settings of the repository.</summary>
public sealed record ChunkerSettings(int MinSize, int AverageSize, int MaxSize);

/// <summary>
/// What an agent needs to split, hash and compress like every other writer of the repository: the chunk-ID subkey,
/// the chunker subkey (from which the gear table is derived) and the chunker settings. Never the master or encryption key.
/// </summary>
public sealed record DedupKeys(byte[] ChunkIdKey, byte[] ChunkerKey, ChunkerSettings Chunker, string Compression);

/// <summary>The answer to enrolling: the PC's identity, its credential (shown once) and the dedup keys.</summary>
public sealed record EnrollResponse(string PcId, string Credential, int ApiVersion, DedupKeys Dedup);

/// <summary>GET /api/v1/server/certificate and the answers of its next/switch routes: the certificate presented now and the one prepared.</summary>
public sealed record ServerCertificateDto(string Fingerprint, string? NextFingerprint);

/// <summary>GET /api/v1/agent/config.</summary>
public sealed record AgentConfigResponse(string PcId, string Name, PolicyDto Policy, DedupKeys Dedup, string? NextServerFingerprint);
