using Hort.Protocol;
using Hort.Server.Catalog;

namespace Hort.Server.Api;

/// <summary>Policies: the default, per-group and per-PC overrides, and a PC's effective policy.</summary>
internal static class PolicyEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet(Routes.DefaultPolicy, () => PolicyDto.Default).WithTags("Policies");
        admin.MapGet(Routes.PcPolicy, GetPcAsync).WithTags("Policies");
        admin.MapPut(Routes.PcPolicy, PutPcAsync).WithTags("Policies");
        admin.MapDelete(Routes.PcPolicy, DeletePcAsync).WithTags("Policies");
        admin.MapGet(Routes.GroupPolicy, GetGroupAsync).WithTags("Policies");
        admin.MapPut(Routes.GroupPolicy, PutGroupAsync).WithTags("Policies");
        admin.MapDelete(Routes.GroupPolicy, DeleteGroupAsync).WithTags("Policies");
    }

    /// <summary>The PC's own policy, else its group's, else the default.</summary>
    internal static Task<EffectivePolicyResponse> EffectiveAsync(ServerCatalog catalog, PcRecord pc, CancellationToken ct) =>
        PolicyAdmin.EffectiveAsync(catalog, pc, ct);

    private static async Task<EffectivePolicyResponse> GetPcAsync(string pcId, ServerCatalog catalog, CancellationToken ct) =>
        await EffectiveAsync(catalog, await PcEndpoints.FindAsync(catalog, pcId, ct).ConfigureAwait(false), ct).ConfigureAwait(false);

    private static async Task<IResult> PutPcAsync(string pcId, PolicyDto policy, HttpContext context, ServerCatalog catalog, PolicyAdmin policies, CancellationToken ct)
    {
        await PcEndpoints.FindAsync(catalog, pcId, ct).ConfigureAwait(false);
        if (await policies.SetPcPolicyAsync(context, pcId, policy, ct).ConfigureAwait(false) is { Count: > 0 } problems) return BadPolicy(problems);
        return Results.Ok(new EffectivePolicyResponse(policy, PolicySource.Pc));
    }

    private static async Task<IResult> DeletePcAsync(string pcId, HttpContext context, ServerCatalog catalog, PolicyAdmin policies, CancellationToken ct)
    {
        await PcEndpoints.FindAsync(catalog, pcId, ct).ConfigureAwait(false);
        await policies.SetPcPolicyAsync(context, pcId, null, ct).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> GetGroupAsync(string groupId, ServerCatalog catalog, CancellationToken ct)
    {
        var group = await GroupEndpoints.FindAsync(catalog, groupId, ct).ConfigureAwait(false);
        return Results.Ok(PolicyAdmin.OfGroup(group));
    }

    private static async Task<IResult> PutGroupAsync(string groupId, PolicyDto policy, HttpContext context, ServerCatalog catalog, PolicyAdmin policies, CancellationToken ct)
    {
        await GroupEndpoints.FindAsync(catalog, groupId, ct).ConfigureAwait(false);
        if (await policies.SetGroupPolicyAsync(context, groupId, policy, ct).ConfigureAwait(false) is { Count: > 0 } problems) return BadPolicy(problems);
        return Results.Ok(new EffectivePolicyResponse(policy, PolicySource.Group));
    }

    private static async Task<IResult> DeleteGroupAsync(string groupId, HttpContext context, ServerCatalog catalog, PolicyAdmin policies, CancellationToken ct)
    {
        await GroupEndpoints.FindAsync(catalog, groupId, ct).ConfigureAwait(false);
        await policies.SetGroupPolicyAsync(context, groupId, null, ct).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static IResult BadPolicy(IReadOnlyList<PolicyProblem> problems) => ApiProblems.BadRequest([.. problems.Select(p => p.Message)]);
}
