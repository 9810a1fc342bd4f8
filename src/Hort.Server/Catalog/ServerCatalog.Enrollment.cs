using Dapper;
using Hort.Protocol;

namespace Hort.Server.Catalog;

public sealed partial class ServerCatalog
{
    public async Task AddEnrollmentCodeAsync(string id, string codeHash, string? groupId, string? pcName, DateTimeOffset created, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            "INSERT INTO enrollment_codes (id, code_hash, group_id, pc_name, created, expires, used, pc_id, withdrawn) VALUES (@id, @codeHash, @groupId, @pcName, @created, @expires, NULL, NULL, 0)",
            new { id, codeHash, groupId, pcName, created = Ms(created), expires = Ms(expires) }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<EnrollmentCodeDto>> ListEnrollmentCodesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<CodeRow>(
            "SELECT id, group_id, pc_name, created, expires, used, pc_id, withdrawn FROM enrollment_codes ORDER BY created DESC").ConfigureAwait(false);
        return [.. rows.Select(r => new EnrollmentCodeDto(r.Id, r.GroupId, r.PcName, Time(r.Created), Time(r.Expires),
            r.Used is not null ? "used" : r.Withdrawn != 0 || r.Expires <= Ms(now) ? "expired" : "valid", r.PcId))];
    }

    /// <summary>Ends a code early; false when there is no such code.</summary>
    public async Task<bool> WithdrawEnrollmentCodeAsync(string id, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync("UPDATE enrollment_codes SET withdrawn = 1 WHERE id = @id", new { id }).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// Uses a valid code (unused, not withdrawn, not expired) and creates the PC it enrolls, in one transaction;
    /// returns null (and changes nothing) when the code is not valid. The PC's name and group come from the code.
    /// </summary>
    public async Task<PcRecord?> EnrollAsync(string codeHash, Func<string?, string?, PcRecord> createPc, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var t = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var code = await c.QuerySingleOrDefaultAsync<CodeRow>(
            "SELECT id, group_id, pc_name, created, expires, used, pc_id, withdrawn FROM enrollment_codes WHERE code_hash = @codeHash",
            new { codeHash }, t).ConfigureAwait(false);
        if (code is null || code.Used is not null || code.Withdrawn != 0 || code.Expires <= Ms(now))
        {
            return null;
        }

        var pc = createPc(code.PcName, code.GroupId);
        var used = await c.ExecuteAsync("UPDATE enrollment_codes SET used = @now, pc_id = @pcId WHERE id = @id AND used IS NULL",
            new { now = Ms(now), pcId = pc.Id, id = code.Id }, t).ConfigureAwait(false);
        if (used != 1)
        {
            return null;
        }

        await PutPcAsync(c, t, pc).ConfigureAwait(false);
        await t.CommitAsync(cancellationToken).ConfigureAwait(false);
        return pc;
    }

    private sealed class CodeRow
    {
        public string Id { get; set; } = "";
        public string? GroupId { get; set; }
        public string? PcName { get; set; }
        public long Created { get; set; }
        public long Expires { get; set; }
        public long? Used { get; set; }
        public string? PcId { get; set; }
        public long Withdrawn { get; set; }
    }
}
