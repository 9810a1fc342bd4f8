using System.Net;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Hosting;

namespace Hort.Server.Security;

/// <summary>Why a first-admin setup or a sign-in was refused; <see cref="None"/> when it succeeded.</summary>
public enum SignInRefusal
{
    None,
    Throttled,
    AdminExists,
    BadInput,
    WrongSetupCode,
    WrongCredentials,
}

/// <summary>The outcome of <see cref="SignInChecks"/>: the refusal with its message (for the API) and how long to wait.</summary>
public sealed record SignInOutcome(SignInRefusal Refusal, string? Message = null, TimeSpan? RetryAfter = null)
{
    public bool Succeeded => Refusal == SignInRefusal.None;

    public static readonly SignInOutcome Success = new(SignInRefusal.None);
}

/// <summary>
/// First-admin setup and password checks, shared by the JSON API and the dashboard so both apply the same throttle,
/// rules and timing defence.
/// </summary>
public sealed class SignInChecks(ServerCatalog catalog, ServerIdentity identity, PasswordHasher hasher, FailureThrottle throttle, TimeProvider time)
{
    /// <summary>Creates the first administrator with the setup code hortd printed; the code is then spent.</summary>
    public async Task<SignInOutcome> SetupFirstAdminAsync(IPAddress? address, string? setupCode, string? username, string? password, CancellationToken ct)
    {
        if (throttle.RetryAfter(address) is { } wait) return new(SignInRefusal.Throttled, "too many failed attempts", wait);
        if (await catalog.CountAdminsAsync(ct).ConfigureAwait(false) > 0)
        {
            return new(SignInRefusal.AdminExists, "an administrator exists already; log in instead");
        }

        if (Names.Problem(username) is { } nameProblem) return new(SignInRefusal.BadInput, "username: " + nameProblem);
        if (PasswordRules.Problem(password) is { } passwordProblem) return new(SignInRefusal.BadInput, passwordProblem);
        if (!identity.IsSetupCode(setupCode))
        {
            throttle.RecordFailure(address);
            return new(SignInRefusal.WrongSetupCode, "wrong setup code (hortd prints it at start while no administrator exists)");
        }

        if (!await catalog.AddFirstAdminAsync(username!, hasher.Hash(password!), time.GetUtcNow(), ct).ConfigureAwait(false))
        {
            return new(SignInRefusal.AdminExists, "an administrator exists already; log in instead");
        }

        identity.ConsumeSetupCode();
        return SignInOutcome.Success;
    }

    /// <summary>Checks a user name and password; an unknown name costs one Argon2id run too, so timing does not tell which names exist.</summary>
    public async Task<SignInOutcome> CheckPasswordAsync(IPAddress? address, string? username, string? password, CancellationToken ct)
    {
        if (throttle.RetryAfter(address) is { } wait) return new(SignInRefusal.Throttled, "too many failed attempts", wait);
        if (username is null || password is null) return new(SignInRefusal.BadInput, "username and password are required");
        var stored = await catalog.AdminPasswordHashAsync(username, ct).ConfigureAwait(false);
        var ok = PasswordHasher.Verify(password, stored ?? hasher.DummyHash) && stored is not null;
        if (!ok)
        {
            throttle.RecordFailure(address);
            return new(SignInRefusal.WrongCredentials, "wrong user name or password");
        }

        return SignInOutcome.Success;
    }
}
