using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Hosting;
using Hort.Server.Security;

namespace Hort.Server.Api;

/// <summary>First-admin setup, login and logout.</summary>
internal static class AuthEndpoints
{
    public static void Map(RouteGroupBuilder anyone, RouteGroupBuilder admin)
    {
        anyone.MapPost(Routes.Setup, SetupAsync).WithTags("Auth");
        anyone.MapPost(Routes.Login, LoginAsync).WithTags("Auth");
        admin.MapPost(Routes.Logout, LogoutAsync).WithTags("Auth");
    }

    private static async Task<IResult> SetupAsync(SetupRequest request, HttpContext context, SignInChecks checks, AuditLog audit, CancellationToken ct)
    {
        var outcome = await checks.SetupFirstAdminAsync(context.Connection.RemoteIpAddress, request.SetupCode, request.Username, request.Password, ct)
            .ConfigureAwait(false);
        if (!outcome.Succeeded) return Refused(outcome);
        await audit.RecordAsync(context, request.Username, "setup", "admin " + request.Username).ConfigureAwait(false);
        return Results.Created(Routes.Login, new AdminDto(request.Username));
    }

    private static async Task<IResult> LoginAsync(
        LoginRequest request, HttpContext context, SignInChecks checks, ServerCatalog catalog, HortdOptions options, TimeProvider time, CancellationToken ct)
    {
        var outcome = await checks.CheckPasswordAndCodeAsync(context.Connection.RemoteIpAddress, request.Username, request.Password, request.TotpCode, ct)
            .ConfigureAwait(false);
        if (!outcome.Succeeded) return Refused(outcome);
        if (outcome.Role != UserRoles.Admin)
        {
            return ApiProblems.Forbidden($"user '{request.Username}' may only see and restore in the dashboard; the API is for administrators");
        }

        var token = Credentials.NewAdminToken();
        var expires = time.GetUtcNow().AddHours(options.AdminTokenHours);
        await catalog.AddAdminTokenAsync(Credentials.Hash(token), request.Username, expires, ct).ConfigureAwait(false);
        return Results.Ok(new LoginResponse(token, expires));
    }

    private static IResult Refused(SignInOutcome outcome) => outcome.Refusal switch
    {
        SignInRefusal.Throttled => ApiProblems.TooMany(outcome.RetryAfter ?? TimeSpan.FromMinutes(1)),
        SignInRefusal.Locked => ApiProblems.Locked(outcome.RetryAfter ?? TimeSpan.FromMinutes(1)),
        SignInRefusal.AdminExists => ApiProblems.Conflict(outcome.Message!),
        SignInRefusal.BadInput => ApiProblems.BadRequest(outcome.Message!),
        _ => ApiProblems.Unauthorized(outcome.Message!),
    };

    private static async Task<IResult> LogoutAsync(HttpContext context, ServerCatalog catalog, TimeProvider time, CancellationToken ct)
    {
        var hash = context.User.FindFirst(Callers.TokenHashClaim)!.Value;
        await catalog.DeleteAdminTokenAsync(hash, time.GetUtcNow(), ct).ConfigureAwait(false);
        return Results.NoContent();
    }
}
