using Dapper;
using Hort.Protocol;

namespace Hort.Server.Catalog;

/// <summary>A group as the catalog holds it.</summary>
public sealed record GroupRecord(string Id, string Name, PolicyDto? Policy);

public sealed partial class ServerCatalog
{
    public async Task<IReadOnlyList<GroupRecord>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<GroupRow>("SELECT id, name, policy FROM pc_groups ORDER BY name").ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async Task<GroupRecord?> GetGroupAsync(string id, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<GroupRow>("SELECT id, name, policy FROM pc_groups WHERE id = @id", new { id }).ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <summary>Adds a group; false when the name is taken.</summary>
    public async Task<bool> AddGroupAsync(GroupRecord group, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync("INSERT INTO pc_groups (id, name, policy) VALUES (@Id, @Name, @Policy) ON CONFLICT DO NOTHING",
            new { group.Id, group.Name, Policy = PolicyJson(group.Policy) }).ConfigureAwait(false) == 1;
    }

    /// <summary>Adds or replaces a group by ID (used when rebuilding from the server state).</summary>
    public async Task PutGroupAsync(GroupRecord group, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            "INSERT INTO pc_groups (id, name, policy) VALUES (@Id, @Name, @Policy) ON CONFLICT (id) DO UPDATE SET name = excluded.name, policy = excluded.policy",
            new { group.Id, group.Name, Policy = PolicyJson(group.Policy) }).ConfigureAwait(false);
    }

    /// <summary>Renames a group; false when there is no such group or another group has the name.</summary>
    public async Task<bool> RenameGroupAsync(string id, string name, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync(
            "UPDATE pc_groups SET name = @name WHERE id = @id AND NOT EXISTS (SELECT 1 FROM pc_groups WHERE name = @name AND id <> @id)",
            new { id, name }).ConfigureAwait(false) == 1;
    }

    /// <summary>Deletes a group; its PCs keep running on the default policy or their own.</summary>
    public async Task<bool> DeleteGroupAsync(string id, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var t = await c.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("UPDATE pcs SET group_id = NULL WHERE group_id = @id", new { id }, t).ConfigureAwait(false);
        var rows = await c.ExecuteAsync("DELETE FROM pc_groups WHERE id = @id", new { id }, t).ConfigureAwait(false);
        await t.CommitAsync(cancellationToken).ConfigureAwait(false);
        return rows == 1;
    }

    public async Task<bool> SetGroupPolicyAsync(string id, PolicyDto? policy, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync("UPDATE pc_groups SET policy = @policy WHERE id = @id", new { id, policy = PolicyJson(policy) }).ConfigureAwait(false) == 1;
    }

    private sealed class GroupRow
    {
        public string Id { get; set; } = "";
        public string Name { get; set; } = "";
        public string? Policy { get; set; }

        public GroupRecord ToRecord() => new(Id, Name, ParsePolicy(Policy));
    }
}
