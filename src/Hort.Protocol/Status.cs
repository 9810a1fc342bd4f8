namespace Hort.Protocol;

/// <summary>GET /api/v1/status: what any caller may know about the server.</summary>
public sealed record StatusResponse(
    string Version,
    IReadOnlyList<int> ApiVersions,
    bool SetupRequired,
    string ServerFingerprint,
    string Catalog,
    int Pcs,
    int Snapshots,
    long? FreeBytes);
