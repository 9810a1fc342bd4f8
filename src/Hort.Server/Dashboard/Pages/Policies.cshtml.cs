using Hort.Protocol;
using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Admin;
using Hort.Server.Dashboard.Auth;
using Hort.Server.Dashboard.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>
/// Policies: the default, each group's and each PC's own, which one each PC follows; editing one (<c>?pc=ID</c> or
/// <c>?group=ID</c>), clearing it, and managing groups. Every change goes through <see cref="PolicyAdmin"/>.
/// </summary>
[Authorize(Policy = DashboardAuth.AdminPolicy)]
internal sealed class PoliciesModel(ServerCatalog catalog, PolicyAdmin policies, PageText text) : PageModel
{
    /// <summary>A PC as the page lists it, with the policy it follows.</summary>
    public sealed record PcRow(PcRecord Pc, EffectivePolicyResponse Effective, string? GroupName);

    [BindProperty(SupportsGet = true, Name = "pc")]
    public string? PcId { get; set; }

    [BindProperty(SupportsGet = true, Name = "group")]
    public string? GroupId { get; set; }

    [BindProperty]
    public PolicyForm Form { get; set; } = new();

    /// <summary>The target of a group or PC form (rename, delete, move).</summary>
    [BindProperty]
    public string? Target { get; set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? NewGroup { get; set; }

    [TempData]
    public string? Done { get; set; }

    public IReadOnlyList<GroupRecord> Groups { get; private set; } = [];

    public IReadOnlyList<PcRow> Pcs { get; private set; } = [];

    /// <summary>The PC or group whose policy is being edited, with its name; null when none is.</summary>
    public (string Kind, string Id, string Name, bool HasOwn, EffectivePolicyResponse Current)? Editing { get; private set; }

    /// <summary>What is wrong with the edited policy, per field.</summary>
    public Dictionary<PolicyField, string> Errors { get; } = [];

    /// <summary>A refused group or PC form: which one (<see cref="Target"/> or "create") and why.</summary>
    public (string For, string Message)? FormError { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct).ConfigureAwait(false)) return NotFound();
        if (Editing is { } editing) Form = PolicyForm.Of(editing.Current.Policy);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct).ConfigureAwait(false) || Editing is not { } editing) return NotFound();
        if (Form.Read(text, Errors) is { } policy)
        {
            var problems = editing.Kind == "pc"
                ? await policies.SetPcPolicyAsync(HttpContext, editing.Id, policy, ct).ConfigureAwait(false)
                : await policies.SetGroupPolicyAsync(HttpContext, editing.Id, policy, ct).ConfigureAwait(false);
            foreach (var group in problems.GroupBy(p => p.Field))
            {
                Errors[group.Key] = string.Join(" ", group.Select(p => PolicyForm.Describe(p, text)));
            }

            if (Errors.Count == 0) return Saved("policies.saved", editing.Name);
        }

        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public async Task<IActionResult> OnPostClearAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct).ConfigureAwait(false) || Editing is not { } editing) return NotFound();
        _ = editing.Kind == "pc"
            ? await policies.SetPcPolicyAsync(HttpContext, editing.Id, null, ct).ConfigureAwait(false)
            : await policies.SetGroupPolicyAsync(HttpContext, editing.Id, null, ct).ConfigureAwait(false);
        return Saved("policies.cleared", editing.Name);
    }

    public async Task<IActionResult> OnPostCreateGroupAsync(CancellationToken ct)
    {
        var (outcome, group) = await policies.CreateGroupAsync(HttpContext, Name?.Trim(), ct).ConfigureAwait(false);
        return outcome == GroupChange.Done ? Saved("policies.groupCreated", group!.Name) : await RefusedAsync("create", outcome, ct).ConfigureAwait(false);
    }

    public async Task<IActionResult> OnPostRenameGroupAsync(CancellationToken ct)
    {
        if (await FindGroupAsync(Target, ct).ConfigureAwait(false) is null) return NotFound();
        var outcome = await policies.RenameGroupAsync(HttpContext, Target!, Name?.Trim(), ct).ConfigureAwait(false);
        return outcome == GroupChange.Done ? Saved("policies.groupRenamed", Name!.Trim()) : await RefusedAsync(Target!, outcome, ct).ConfigureAwait(false);
    }

    public async Task<IActionResult> OnPostDeleteGroupAsync(CancellationToken ct)
    {
        if (await FindGroupAsync(Target, ct).ConfigureAwait(false) is not { } group) return NotFound();
        await policies.DeleteGroupAsync(HttpContext, group.Id, ct).ConfigureAwait(false);
        return Saved("policies.groupDeleted", group.Name);
    }

    public async Task<IActionResult> OnPostMovePcAsync(CancellationToken ct)
    {
        if (Target is null || !Ids.IsValid(Target) || await catalog.GetPcAsync(Target, ct).ConfigureAwait(false) is not { } pc) return NotFound();
        var outcome = await policies.UpdatePcAsync(HttpContext, pc.Id, null, NewGroup ?? "", ct).ConfigureAwait(false);
        return outcome == GroupChange.Done ? Saved("policies.pcMoved", pc.Name) : await RefusedAsync(pc.Id, outcome, ct).ConfigureAwait(false);
    }

    /// <summary>The source of a PC's effective policy in words.</summary>
    public string SourceOf(PcRow row) => row.Effective.Source switch
    {
        PolicySource.Pc => text["policies.sourcePc"],
        PolicySource.Group => text.Format("policies.sourceGroup", row.GroupName),
        _ => text["policies.sourceDefault"],
    };

    /// <summary>A policy in one line: window and what is kept.</summary>
    public string Summary(PolicyDto policy) => text.Format("policies.summary",
        policy.Window.Start.ToString("t", System.Globalization.CultureInfo.CurrentCulture),
        policy.Window.End.ToString("t", System.Globalization.CultureInfo.CurrentCulture),
        policy.Keep.Daily, policy.Keep.Weekly, policy.Keep.Monthly);

    private IActionResult Saved(string key, string name)
    {
        Done = text.Format(key, name);
        return Redirect(PcId is not null ? "/policies?pc=" + Uri.EscapeDataString(PcId)
            : GroupId is not null ? "/policies?group=" + Uri.EscapeDataString(GroupId) : "/policies");
    }

    private async Task<IActionResult> RefusedAsync(string target, GroupChange outcome, CancellationToken ct)
    {
        await LoadAsync(ct).ConfigureAwait(false);
        FormError = (target, outcome switch
        {
            GroupChange.NameTaken => text["policies.groupNameTaken"],
            GroupChange.NoSuchGroup => text["policies.noSuchGroup"],
            _ => text.Format("policies.groupNameBad", Names.MaxLength),
        });
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    private async Task<GroupRecord?> FindGroupAsync(string? id, CancellationToken ct) =>
        id is not null && Ids.IsValid(id) ? await catalog.GetGroupAsync(id, ct).ConfigureAwait(false) : null;

    /// <summary>Reads groups, PCs and the edited target; false when <c>?pc</c> or <c>?group</c> names nothing.</summary>
    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        Groups = await catalog.ListGroupsAsync(ct).ConfigureAwait(false);
        var names = Groups.ToDictionary(g => g.Id, g => g.Name, StringComparer.Ordinal);
        var rows = new List<PcRow>();
        foreach (var pc in (await catalog.ListPcsAsync(ct).ConfigureAwait(false)).Where(p => !p.Revoked))
        {
            var effective = await PolicyAdmin.EffectiveAsync(catalog, pc, ct).ConfigureAwait(false);
            rows.Add(new PcRow(pc, effective, pc.GroupId is { } g ? names.GetValueOrDefault(g) : null));
        }

        Pcs = [.. rows.OrderBy(r => r.Pc.Name, StringComparer.CurrentCultureIgnoreCase)];
        if (PcId is not null)
        {
            if (Pcs.FirstOrDefault(r => r.Pc.Id == PcId) is not { } row) return false;
            Editing = ("pc", row.Pc.Id, row.Pc.Name, row.Pc.Policy is not null, row.Effective);
        }
        else if (GroupId is not null)
        {
            if (Groups.FirstOrDefault(g => g.Id == GroupId) is not { } group) return false;
            Editing = ("group", group.Id, group.Name, group.Policy is not null, PolicyAdmin.OfGroup(group));
        }

        return true;
    }
}
