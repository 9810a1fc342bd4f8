using Dapper;
using Hort.Protocol;

namespace Hort.Server.Catalog;

public sealed partial class ServerCatalog
{
    public async Task AddAuditAsync(DateTimeOffset time, string admin, string remoteAddress, string action, string target, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("INSERT INTO audit (time, admin, remote_address, action, target) VALUES (@time, @admin, @remoteAddress, @action, @target)",
            new { time = Ms(time), admin, remoteAddress, action, target }).ConfigureAwait(false);
    }

    /// <summary>The newest <paramref name="limit"/> audit entries, newest first.</summary>
    public async Task<IReadOnlyList<AuditEntryDto>> ListAuditAsync(int limit, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<AuditRow>(
            "SELECT id, time, admin, remote_address, action, target FROM audit ORDER BY id DESC LIMIT @limit", new { limit = (long)limit }).ConfigureAwait(false);
        return [.. rows.Select(r => new AuditEntryDto(r.Id, Time(r.Time), r.Admin, r.RemoteAddress, r.Action, r.Target))];
    }

    private sealed class AuditRow
    {
        public long Id { get; set; }
        public long Time { get; set; }
        public string Admin { get; set; } = "";
        public string RemoteAddress { get; set; } = "";
        public string Action { get; set; } = "";
        public string Target { get; set; } = "";
    }
}
