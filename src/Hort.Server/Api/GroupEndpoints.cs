using Hort.Core;
using Hort.Protocol;
using Hort.Server.Catalog;

namespace Hort.Server.Api;

/// <summary>Groups of PCs.</summary>
internal static class GroupEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet(Routes.Groups, ListAsync).WithTags("Groups");
        admin.MapPost(Routes.Groups, CreateAsync).WithTags("Groups");
        admin.MapPatch(Routes.Group, RenameAsync).WithTags("Groups");
        admin.MapDelete(Routes.Group, DeleteAsync).WithTags("Groups");
    }

    private static async Task<IReadOnlyList<GroupDto>> ListAsync(ServerCatalog catalog, CancellationToken ct) =>
        [.. (await catalog.ListGroupsAsync(ct).ConfigureAwait(false)).Select(g => new GroupDto(g.Id, g.Name, g.Policy is not null))];

    private static async Task<IResult> CreateAsync(GroupCreateRequest request, HttpContext context, PolicyAdmin policies, CancellationToken ct)
    {
        var (outcome, group) = await policies.CreateGroupAsync(context, request.Name, ct).ConfigureAwait(false);
        return outcome == GroupChange.Done
            ? Results.Created(Routes.Format(Routes.Group, group!.Id), new GroupDto(group.Id, group.Name, false))
            : Refused(outcome, request.Name);
    }

    private static async Task<IResult> RenameAsync(string groupId, GroupCreateRequest request, HttpContext context, ServerCatalog catalog, PolicyAdmin policies, CancellationToken ct)
    {
        await FindAsync(catalog, groupId, ct).ConfigureAwait(false);
        var outcome = await policies.RenameGroupAsync(context, groupId, request.Name, ct).ConfigureAwait(false);
        if (outcome != GroupChange.Done) return Refused(outcome, request.Name);
        var group = await FindAsync(catalog, groupId, ct).ConfigureAwait(false);
        return Results.Ok(new GroupDto(group.Id, group.Name, group.Policy is not null));
    }

    private static async Task<IResult> DeleteAsync(string groupId, HttpContext context, ServerCatalog catalog, PolicyAdmin policies, CancellationToken ct)
    {
        await FindAsync(catalog, groupId, ct).ConfigureAwait(false);
        await policies.DeleteGroupAsync(context, groupId, ct).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static IResult Refused(GroupChange outcome, string? name) => outcome == GroupChange.NameTaken
        ? ApiProblems.Conflict($"a group named '{name}' exists already")
        : ApiProblems.BadRequest("name: " + Names.Problem(name));

    internal static async Task<GroupRecord> FindAsync(ServerCatalog catalog, string groupId, CancellationToken ct) =>
        (Ids.IsValid(groupId) ? await catalog.GetGroupAsync(groupId, ct).ConfigureAwait(false) : null)
        ?? throw new NotFoundException($"there is no group {groupId}");
}
