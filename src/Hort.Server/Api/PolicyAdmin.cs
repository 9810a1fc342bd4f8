using Hort.Protocol;
using Hort.Server.Catalog;

namespace Hort.Server.Api;

/// <summary>The outcome of a change to a group or to a PC's group.</summary>
internal enum GroupChange
{
    Done,

    /// <summary>The name breaks <see cref="Names.Problem"/>.</summary>
    BadName,

    /// <summary>Another group has the name.</summary>
    NameTaken,

    /// <summary>The group named as the PC's new group does not exist.</summary>
    NoSuchGroup,
}

/// <summary>
/// Changes to policies, groups and a PC's group, shared by the API and the dashboard: each is checked, saved, audited,
/// and announced to the agents whose effective policy it may change (<see cref="CommandSignals.PolicyChanged"/> ends
/// their waiting long poll, so they read their configuration again at once).
/// </summary>
internal sealed class PolicyAdmin(ServerCatalog catalog, AuditLog audit, CommandSignals signals)
{
    /// <summary>The PC's own policy, else its group's, else the default.</summary>
    public static async Task<EffectivePolicyResponse> EffectiveAsync(ServerCatalog catalog, PcRecord pc, CancellationToken ct) =>
        Effective(pc, pc.Policy is null && pc.GroupId is { } groupId ? (await catalog.GetGroupAsync(groupId, ct).ConfigureAwait(false))?.Policy : null);

    /// <summary>The PC's own policy, else <paramref name="groupPolicy"/> (its group's), else the default; for callers that loaded the groups at once.</summary>
    public static EffectivePolicyResponse Effective(PcRecord pc, PolicyDto? groupPolicy) =>
        pc.Policy is { } own ? new EffectivePolicyResponse(own, PolicySource.Pc)
        : groupPolicy is { } group ? new EffectivePolicyResponse(group, PolicySource.Group)
        : new EffectivePolicyResponse(PolicyDto.Default, PolicySource.Default);

    /// <summary>The group's own policy, else the default.</summary>
    public static EffectivePolicyResponse OfGroup(GroupRecord group) => group.Policy is { } own
        ? new EffectivePolicyResponse(own, PolicySource.Group)
        : new EffectivePolicyResponse(PolicyDto.Default, PolicySource.Default);

    /// <summary>Sets (or, with null, clears) the PC's own policy; returns the policy's problems and changes nothing when there are any.</summary>
    public async Task<IReadOnlyList<PolicyProblem>> SetPcPolicyAsync(HttpContext context, string pcId, PolicyDto? policy, CancellationToken ct)
    {
        if (policy?.Check() is { Count: > 0 } problems) return problems;
        await catalog.SetPcPolicyAsync(pcId, policy, ct).ConfigureAwait(false);
        await audit.RecordAsync(context, policy is null ? "clear-pc-policy" : "set-pc-policy", "pc " + pcId).ConfigureAwait(false);
        signals.PolicyChanged(pcId);
        return [];
    }

    /// <summary>Sets (or, with null, clears) the group's policy; returns the policy's problems and changes nothing when there are any.</summary>
    public async Task<IReadOnlyList<PolicyProblem>> SetGroupPolicyAsync(HttpContext context, string groupId, PolicyDto? policy, CancellationToken ct)
    {
        if (policy?.Check() is { Count: > 0 } problems) return problems;
        await catalog.SetGroupPolicyAsync(groupId, policy, ct).ConfigureAwait(false);
        await audit.RecordAsync(context, policy is null ? "clear-group-policy" : "set-group-policy", "group " + groupId).ConfigureAwait(false);
        await AnnounceToGroupAsync(groupId, ct).ConfigureAwait(false);
        return [];
    }

    /// <summary>Creates a group without a policy of its own.</summary>
    public async Task<(GroupChange Outcome, GroupRecord? Group)> CreateGroupAsync(HttpContext context, string? name, CancellationToken ct)
    {
        if (Names.Problem(name) is not null) return (GroupChange.BadName, null);
        var group = new GroupRecord(Ids.New(), name!, null);
        if (!await catalog.AddGroupAsync(group, ct).ConfigureAwait(false)) return (GroupChange.NameTaken, null);
        await audit.RecordAsync(context, "create-group", $"group {group.Id} '{group.Name}'").ConfigureAwait(false);
        return (GroupChange.Done, group);
    }

    /// <summary>Renames an existing group.</summary>
    public async Task<GroupChange> RenameGroupAsync(HttpContext context, string groupId, string? name, CancellationToken ct)
    {
        if (Names.Problem(name) is not null) return GroupChange.BadName;
        if (!await catalog.RenameGroupAsync(groupId, name!, ct).ConfigureAwait(false)) return GroupChange.NameTaken;
        await audit.RecordAsync(context, "rename-group", $"group {groupId} '{name}'").ConfigureAwait(false);
        return GroupChange.Done;
    }

    /// <summary>Deletes an existing group; its PCs fall back to their own policy or the default.</summary>
    public async Task DeleteGroupAsync(HttpContext context, string groupId, CancellationToken ct)
    {
        var members = await MembersAsync(groupId, ct).ConfigureAwait(false);
        await catalog.DeleteGroupAsync(groupId, ct).ConfigureAwait(false);
        await audit.RecordAsync(context, "delete-group", "group " + groupId).ConfigureAwait(false);
        foreach (var pcId in members) signals.PolicyChanged(pcId);
    }

    /// <summary>
    /// Renames an existing PC and/or moves it to another group: a null <paramref name="name"/> keeps the name, a null
    /// <paramref name="groupId"/> keeps the group, an empty one takes the PC out of every group.
    /// </summary>
    public async Task<GroupChange> UpdatePcAsync(HttpContext context, string pcId, string? name, string? groupId, CancellationToken ct)
    {
        if (name is not null && Names.Problem(name) is not null) return GroupChange.BadName;
        var changeGroup = groupId is not null;
        var newGroup = groupId is { Length: > 0 } g ? g : null;
        if (newGroup is not null && (!Ids.IsValid(newGroup) || await catalog.GetGroupAsync(newGroup, ct).ConfigureAwait(false) is null))
        {
            return GroupChange.NoSuchGroup;
        }

        await catalog.UpdatePcAsync(pcId, name, newGroup, changeGroup, ct).ConfigureAwait(false);
        await audit.RecordAsync(context, "update-pc", $"pc {pcId} name={name} group={groupId}").ConfigureAwait(false);
        if (changeGroup) signals.PolicyChanged(pcId);
        return GroupChange.Done;
    }

    private async Task AnnounceToGroupAsync(string groupId, CancellationToken ct)
    {
        foreach (var pcId in await MembersAsync(groupId, ct).ConfigureAwait(false)) signals.PolicyChanged(pcId);
    }

    private async Task<List<string>> MembersAsync(string groupId, CancellationToken ct) =>
        [.. (await catalog.ListPcsAsync(ct).ConfigureAwait(false)).Where(pc => pc.GroupId == groupId).Select(pc => pc.Id)];
}
