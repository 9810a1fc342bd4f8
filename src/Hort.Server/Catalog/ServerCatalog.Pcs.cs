using System.Text.Json;
using Dapper;
using Hort.Protocol;

namespace Hort.Server.Catalog;

/// <summary>A PC as the catalog holds it.</summary>
public sealed record PcRecord(
    string Id,
    string Name,
    string Hostname,
    string? GroupId,
    string OperatingSystem,
    string AgentVersion,
    DateTimeOffset Enrolled,
    DateTimeOffset? LastSeen,
    string? CredentialHash,
    bool Revoked,
    PolicyDto? Policy);

public sealed partial class ServerCatalog
{
    private const string PcColumns = "id, name, hostname, group_id, operating_system, agent_version, enrolled, last_seen, credential_hash, revoked, policy";

    public async Task<IReadOnlyList<PcRecord>> ListPcsAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<PcRow>($"SELECT {PcColumns} FROM pcs ORDER BY name, id").ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async Task<PcRecord?> GetPcAsync(string id, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<PcRow>($"SELECT {PcColumns} FROM pcs WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <summary>Adds a PC, or replaces it when rebuilding.</summary>
    public async Task PutPcAsync(PcRecord pc, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await PutPcAsync(c, null, pc).ConfigureAwait(false);
    }

    private static Task PutPcAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? t, PcRecord pc) =>
        c.ExecuteAsync(
            $"""
            INSERT INTO pcs ({PcColumns}) VALUES (@Id, @Name, @Hostname, @GroupId, @OperatingSystem, @AgentVersion, @Enrolled, @LastSeen, @CredentialHash, @Revoked, @Policy)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, hostname = excluded.hostname, group_id = excluded.group_id,
              operating_system = excluded.operating_system, agent_version = excluded.agent_version, enrolled = excluded.enrolled,
              last_seen = excluded.last_seen, credential_hash = excluded.credential_hash, revoked = excluded.revoked, policy = excluded.policy
            """,
            PcRow.From(pc), t);

    public async Task<bool> UpdatePcAsync(string id, string? name, string? groupId, bool changeGroup, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.ExecuteAsync(
            "UPDATE pcs SET name = COALESCE(@name, name), group_id = CASE WHEN @changeGroup = 1 THEN @groupId ELSE group_id END WHERE id = @id",
            new { id, name, groupId, changeGroup = changeGroup ? 1L : 0L }).ConfigureAwait(false);
        return rows == 1;
    }

    public async Task<bool> RevokePcAsync(string id, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync("UPDATE pcs SET revoked = 1, credential_hash = NULL WHERE id = @id", new { id }).ConfigureAwait(false) == 1;
    }

    public async Task<bool> SetPcPolicyAsync(string id, PolicyDto? policy, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync("UPDATE pcs SET policy = @policy WHERE id = @id", new { id, policy = PolicyJson(policy) }).ConfigureAwait(false) == 1;
    }

    public async Task TouchPcAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        // At most one write a minute per PC.
        await c.ExecuteAsync("UPDATE pcs SET last_seen = @now WHERE id = @id AND (last_seen IS NULL OR last_seen < @now - 60000)",
            new { id, now = Ms(now) }).ConfigureAwait(false);
    }

    internal static string? PolicyJson(PolicyDto? policy) => policy is null ? null : JsonSerializer.Serialize(policy, ProtocolJson.Default.PolicyDto);

    internal static PolicyDto? ParsePolicy(string? json) => json is null ? null : JsonSerializer.Deserialize(json, ProtocolJson.Default.PolicyDto);

    private sealed class PcRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string Hostname { get; set; } = "";
        public string? GroupId { get; set; }
        public string OperatingSystem { get; set; } = "";
        public string AgentVersion { get; set; } = "";
        public long Enrolled { get; set; }
        public long? LastSeen { get; set; }
        public string? CredentialHash { get; set; }
        public long Revoked { get; set; }
        public string? Policy { get; set; }

        public PcRecord ToRecord() => new(Id, Name, Hostname, GroupId, OperatingSystem, AgentVersion, Time(Enrolled), Time(LastSeen),
            CredentialHash, Revoked != 0, ParsePolicy(Policy));

        public static PcRow From(PcRecord p) => new()
        {
            Id = p.Id, Name = p.Name, Hostname = p.Hostname, GroupId = p.GroupId, OperatingSystem = p.OperatingSystem,
            AgentVersion = p.AgentVersion, Enrolled = Ms(p.Enrolled), LastSeen = p.LastSeen is { } s ? Ms(s) : null,
            CredentialHash = p.CredentialHash, Revoked = p.Revoked ? 1 : 0, Policy = PolicyJson(p.Policy),
        };
    }
}
