using System.Security.Claims;
using System.Text.Encodings.Web;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Hort.Server.Security;

/// <summary>Claim types and policy names of hortd's two kinds of caller.</summary>
public static class Callers
{
    public const string Scheme = "Bearer";
    public const string KindClaim = "hort:kind";
    public const string PcClaim = "hort:pc";
    public const string TokenHashClaim = "hort:token";
    public const string Admin = "admin";
    public const string Agent = "agent";

    /// <summary>The administrator's name, for the audit log.</summary>
    public static string AdminName(this ClaimsPrincipal user) => user.Identity?.Name ?? "";

    /// <summary>The PC an agent credential belongs to; never taken from the request.</summary>
    public static string PcId(this ClaimsPrincipal user) =>
        user.FindFirstValue(PcClaim) ?? throw new InvalidOperationException("not an agent caller");
}

/// <summary>
/// Resolves <c>Authorization: Bearer</c> into an admin or an agent principal: admin tokens by their stored hash (sliding
/// expiry), agent credentials by the PC they name, its stored hash (constant-time) and its revocation flag.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ServerCatalog catalog,
    HortdOptions options,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        var hash = Credentials.Hash(token);
        var now = time.GetUtcNow();
        var ct = Context.RequestAborted;
        switch (Credentials.KindOf(token))
        {
            case CredentialKind.AdminToken:
            {
                var session = await catalog.UseAdminTokenAsync(hash, now, now.AddHours(options.AdminTokenHours), ct).ConfigureAwait(false);
                return session is null
                    ? AuthenticateResult.Fail("invalid or expired admin token")
                    : Success([new(ClaimTypes.Name, session.Username), new(Callers.KindClaim, Callers.Admin), new(Callers.TokenHashClaim, hash)]);
            }

            case CredentialKind.AgentCredential:
            {
                var pcId = Credentials.PcIdOf(token);
                var pc = pcId is null ? null : await catalog.GetPcAsync(pcId, ct).ConfigureAwait(false);
                if (pc is null || pc.Revoked || pc.CredentialHash is null || !Credentials.HashesEqual(pc.CredentialHash, hash))
                {
                    return AuthenticateResult.Fail("invalid or revoked agent credential");
                }

                // The catalog keeps last-seen to the minute; skip the round trip when the row already read says it is fresh.
                if (pc.LastSeen is not { } seen || seen < now.AddMinutes(-1))
                {
                    await catalog.TouchPcAsync(pc.Id, now, ct).ConfigureAwait(false);
                }

                return Success([new(ClaimTypes.Name, pc.Id), new(Callers.KindClaim, Callers.Agent), new(Callers.PcClaim, pc.Id)]);
            }

            default:
                return AuthenticateResult.Fail("unknown credential");
        }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
    }

    private AuthenticateResult Success(Claim[] claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, Callers.Scheme)), Callers.Scheme));
}
