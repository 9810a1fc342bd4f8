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
        admin.MapDelete(Routes.Group, DeleteAsync).WithTags("Groups");
    }

    private static async Task<IReadOnlyList<GroupDto>> ListAsync(ServerCatalog catalog, CancellationToken ct) =>
        [.. (await catalog.ListGroupsAsync(ct).ConfigureAwait(false)).Select(g => new GroupDto(g.Id, g.Name, g.Policy is not null))];

    private static async Task<IResult> CreateAsync(GroupCreateRequest request, HttpContext context, ServerCatalog catalog, AuditLog audit, CancellationToken ct)
    {
        if (Names.Problem(request.Name) is { } problem) return ApiProblems.BadRequest("name: " + problem);
        var group = new GroupRecord(Ids.New(), request.Name, null);
        if (!await catalog.AddGroupAsync(group, ct).ConfigureAwait(false))
        {
            return ApiProblems.Conflict($"a group named '{request.Name}' exists already");
        }

        await audit.RecordAsync(context, "create-group", $"group {group.Id} '{group.Name}'").ConfigureAwait(false);
        return Results.Created(Routes.Format(Routes.Group, group.Id), new GroupDto(group.Id, group.Name, false));
    }

    private static async Task<IResult> DeleteAsync(string groupId, HttpContext context, ServerCatalog catalog, AuditLog audit, CancellationToken ct)
    {
        await FindAsync(catalog, groupId, ct).ConfigureAwait(false);
        await catalog.DeleteGroupAsync(groupId, ct).ConfigureAwait(false);
        await audit.RecordAsync(context, "delete-group", "group " + groupId).ConfigureAwait(false);
        return Results.NoContent();
    }

    internal static async Task<GroupRecord> FindAsync(ServerCatalog catalog, string groupId, CancellationToken ct) =>
        (Ids.IsValid(groupId) ? await catalog.GetGroupAsync(groupId, ct).ConfigureAwait(false) : null)
        ?? throw new NotFoundException($"there is no group {groupId}");
}
