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

    private static async Task<IResult> CreateAsync(EnrollmentCodeCreateRequest request, HttpContext context, EnrollmentCodes codes, CancellationToken ct)
    {
        var (problem, created) = await codes.CreateAsync(context, request, ct).ConfigureAwait(false);
        return problem switch
        {
            EnrollmentCodeProblem.ValidHours => ApiProblems.BadRequest($"validHours must be between 1 and {EnrollmentCodeCreateRequest.MaxValidHours}"),
            EnrollmentCodeProblem.PcName => ApiProblems.BadRequest("pcName: " + Names.Problem(request.PcName)),
            EnrollmentCodeProblem.NoSuchGroup => ApiProblems.NotFound($"there is no group {request.GroupId}"),
            _ => Results.Created(Routes.Format(Routes.EnrollmentCode, created!.Id), created),
        };
    }

    private static async Task<IResult> WithdrawAsync(string codeId, HttpContext context, EnrollmentCodes codes, CancellationToken ct) =>
        await codes.WithdrawAsync(context, codeId, ct).ConfigureAwait(false)
            ? Results.NoContent()
            : ApiProblems.NotFound($"there is no enrollment code {codeId}");

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
