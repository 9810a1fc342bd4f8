using Hort.Protocol;
using Hort.Repository;
using Hort.Server.Catalog;
using Hort.Server.Hosting;
using Hort.Server.Security;

namespace Hort.Server.Api;

/// <summary>Enrollment codes (admin) and enrollment itself (agent, with a code instead of a credential).</summary>
internal static class EnrollmentEndpoints
{
    private const int MaxField = 200;

    public static void Map(RouteGroupBuilder anyone, RouteGroupBuilder admin)
    {
        admin.MapGet(Routes.EnrollmentCodes, ListAsync).WithTags("Enrollment");
        admin.MapPost(Routes.EnrollmentCodes, CreateAsync).WithTags("Enrollment");
        admin.MapDelete(Routes.EnrollmentCode, WithdrawAsync).WithTags("Enrollment");
        anyone.MapPost(Routes.Enroll, EnrollAsync).WithTags("Agent");
    }

    private static Task<IReadOnlyList<EnrollmentCodeDto>> ListAsync(ServerCatalog catalog, TimeProvider time, CancellationToken ct) =>
        catalog.ListEnrollmentCodesAsync(time.GetUtcNow(), ct);

    private static async Task<IResult> CreateAsync(
        EnrollmentCodeCreateRequest request, HttpContext context, ServerCatalog catalog, ServerIdentity identity, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        if (request.ValidHours is < 1 or > EnrollmentCodeCreateRequest.MaxValidHours)
        {
            return ApiProblems.BadRequest($"validHours must be between 1 and {EnrollmentCodeCreateRequest.MaxValidHours}");
        }

        if (request.PcName is not null && Names.Problem(request.PcName) is { } problem) return ApiProblems.BadRequest("pcName: " + problem);
        if (request.GroupId is not null)
        {
            await GroupEndpoints.FindAsync(catalog, request.GroupId, ct).ConfigureAwait(false);
        }

        var id = Ids.New();
        var code = Credentials.NewCode();
        var now = time.GetUtcNow();
        var expires = now.AddHours(request.ValidHours);
        await catalog.AddEnrollmentCodeAsync(id, Credentials.Hash(Credentials.NormalizeCode(code)), request.GroupId, request.PcName, now, expires, ct).ConfigureAwait(false);
        await audit.RecordAsync(context, "create-enrollment-code", $"code {id} group={request.GroupId} name={request.PcName}").ConfigureAwait(false);
        return Results.Created(Routes.Format(Routes.EnrollmentCode, id), new EnrollmentCodeCreated(id, code, expires, identity.Fingerprint));
    }

    private static async Task<IResult> WithdrawAsync(string codeId, HttpContext context, ServerCatalog catalog, AuditLog audit, CancellationToken ct)
    {
        if (!Ids.IsValid(codeId) || !await catalog.WithdrawEnrollmentCodeAsync(codeId, ct).ConfigureAwait(false))
        {
            return ApiProblems.NotFound($"there is no enrollment code {codeId}");
        }

        await audit.RecordAsync(context, "expire-enrollment-code", "code " + codeId).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> EnrollAsync(
        EnrollRequest request, HttpContext context, ServerCatalog catalog, ServerStateStore state, HortRepository repository, FailureThrottle throttle,
        TimeProvider time, CancellationToken ct)
    {
        var address = context.Connection.RemoteIpAddress;
        if (throttle.RetryAfter(address) is { } wait) return ApiProblems.TooMany(wait);
        if (request.Code is null || Names.Problem(request.Hostname) is not null
            || request.OperatingSystem is null or { Length: > MaxField } || request.AgentVersion is null or { Length: > MaxField })
        {
            return ApiProblems.BadRequest("code, hostname, operatingSystem and agentVersion are required (hostname: printable, at most 200 characters)");
        }

        var pcId = Ids.New();
        var credential = Credentials.NewAgentCredential(pcId);
        var now = time.GetUtcNow();
        var pc = await catalog.EnrollAsync(
            Credentials.Hash(Credentials.NormalizeCode(request.Code)),
            (name, groupId) => new PcRecord(pcId, name ?? request.Hostname, request.Hostname, groupId, request.OperatingSystem,
                request.AgentVersion, now, now, Credentials.Hash(credential), false, null),
            now, ct).ConfigureAwait(false);
        if (pc is null)
        {
            throttle.RecordFailure(address);
            return ApiProblems.Unauthorized("the enrollment code is wrong, used or expired");
        }

        await state.SaveAsync(ct).ConfigureAwait(false);
        return Results.Created(Routes.AgentConfig, new EnrollResponse(pc.Id, credential, ApiVersions.Current, DedupKeysOf(repository)));
    }

    /// <summary>The subkeys and settings an agent needs to chunk and name like the repository (never the encryption key).</summary>
    internal static DedupKeys DedupKeysOf(HortRepository repository)
    {
        var chunker = repository.Config.Chunker;
        return new DedupKeys(repository.Key.ChunkIdKey.ToArray(), repository.Key.ChunkerKey.ToArray(),
            new ChunkerSettings(chunker.MinSize, chunker.AverageSize, chunker.MaxSize), "zstd");
    }
}
