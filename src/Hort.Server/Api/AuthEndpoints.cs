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

    private static async Task<IResult> SetupAsync(
        SetupRequest request, HttpContext context, ServerCatalog catalog, ServerIdentity identity, PasswordHasher hasher,
        FailureThrottle throttle, AuditLog audit, TimeProvider time, CancellationToken ct)
    {
        var address = context.Connection.RemoteIpAddress;
        if (throttle.RetryAfter(address) is { } wait) return ApiProblems.TooMany(wait);
        if (await catalog.CountAdminsAsync(ct).ConfigureAwait(false) > 0)
        {
            return ApiProblems.Conflict("an administrator exists already; log in instead");
        }

        if (Names.Problem(request.Username) is { } nameProblem) return ApiProblems.BadRequest("username: " + nameProblem);
        if (PasswordRules.Problem(request.Password) is { } passwordProblem) return ApiProblems.BadRequest(passwordProblem);
        if (!identity.IsSetupCode(request.SetupCode))
        {
            throttle.RecordFailure(address);
            return ApiProblems.Unauthorized("wrong setup code (hortd prints it at start while no administrator exists)");
        }

        if (!await catalog.AddFirstAdminAsync(request.Username, hasher.Hash(request.Password), time.GetUtcNow(), ct).ConfigureAwait(false))
        {
            return ApiProblems.Conflict("an administrator exists already; log in instead");
        }

        identity.ConsumeSetupCode();
        await audit.RecordAsync(context, request.Username, "setup", "admin " + request.Username).ConfigureAwait(false);
        return Results.Created(Routes.Login, new AdminDto(request.Username));
    }

    private static async Task<IResult> LoginAsync(
        LoginRequest request, HttpContext context, ServerCatalog catalog, PasswordHasher hasher, FailureThrottle throttle,
        HortdOptions options, TimeProvider time, CancellationToken ct)
    {
        var address = context.Connection.RemoteIpAddress;
        if (throttle.RetryAfter(address) is { } wait) return ApiProblems.TooMany(wait);
        if (request.Username is null || request.Password is null) return ApiProblems.BadRequest("username and password are required");
        var stored = await catalog.AdminPasswordHashAsync(request.Username, ct).ConfigureAwait(false);
        // An unknown user costs one Argon2id run too, so timing does not tell which names exist.
        var ok = PasswordHasher.Verify(request.Password, stored ?? hasher.DummyHash) && stored is not null;
        if (!ok)
        {
            throttle.RecordFailure(address);
            return ApiProblems.Unauthorized("wrong user name or password");
        }

        var token = Credentials.NewAdminToken();
        var expires = time.GetUtcNow().AddHours(options.AdminTokenHours);
        await catalog.AddAdminTokenAsync(Credentials.Hash(token), request.Username, expires, ct).ConfigureAwait(false);
        return Results.Ok(new LoginResponse(token, expires));
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, ServerCatalog catalog, TimeProvider time, CancellationToken ct)
    {
        var hash = context.User.FindFirst(Callers.TokenHashClaim)!.Value;
        await catalog.DeleteAdminTokenAsync(hash, time.GetUtcNow(), ct).ConfigureAwait(false);
        return Results.NoContent();
    }
}
