using System.Collections.Concurrent;
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

    /// <summary>Too many failed sign-ins in a row for this account; <see cref="SignInOutcome.RetryAfter"/> says how long.</summary>
    Locked,

    /// <summary>The password was right and the account has two-factor sign-in: a code is needed.</summary>
    CodeRequired,

    WrongCode,
}

/// <summary>The outcome of <see cref="SignInChecks"/>: the refusal with its message (for the API), how long to wait, and the user's role.</summary>
public sealed record SignInOutcome(SignInRefusal Refusal, string? Message = null, TimeSpan? RetryAfter = null, string? Role = null)
{
    public bool Succeeded => Refusal == SignInRefusal.None;

    public static readonly SignInOutcome Success = new(SignInRefusal.None);
}

/// <summary>
/// First-admin setup, password and two-factor checks, shared by the JSON API and the dashboard so both apply the same
/// per-address throttle, per-account lockout, rules and timing defence. Names that do not exist get the same answers,
/// the same Argon2id work and the same lockout as real ones, so neither the words nor the timing tell them apart.
/// </summary>
public sealed class SignInChecks(
    ServerCatalog catalog, ServerIdentity identity, PasswordHasher hasher, FailureThrottle throttle, TotpSecrets secrets, HortdOptions options, TimeProvider time)
{
    private const int MaxTrackedUnknownNames = 10_000;

    /// <summary>Failure counts of names that are not users, kept like the catalog keeps real ones.</summary>
    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset? LockedUntil)> _unknown = new(StringComparer.Ordinal);

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
        return SignInOutcome.Success with { Role = UserRoles.Admin };
    }

    /// <summary>
    /// Checks a user name and password. Success carries the role; an account with two-factor sign-in answers
    /// <see cref="SignInRefusal.CodeRequired"/> instead, and only <see cref="CheckCodeAsync"/> completes it.
    /// </summary>
    public async Task<SignInOutcome> CheckPasswordAsync(IPAddress? address, string? username, string? password, CancellationToken ct)
    {
        if (throttle.RetryAfter(address) is { } wait) return new(SignInRefusal.Throttled, "too many failed attempts", wait);
        if (username is null || password is null) return new(SignInRefusal.BadInput, "username and password are required");
        var user = await catalog.GetUserAsync(username, ct).ConfigureAwait(false);
        // Always one Argon2id run, also for unknown or locked names.
        var ok = PasswordHasher.Verify(password, user?.PasswordHash ?? hasher.DummyHash) && user is not null;
        if (LockedFor(user, username) is { } locked) return Locked(locked);
        if (!ok) return await FailAsync(address, user, username, new(SignInRefusal.WrongCredentials, "wrong user name or password"), ct).ConfigureAwait(false);
        if (user!.HasTotp) return new(SignInRefusal.CodeRequired, "this account uses two-factor sign-in: send the current 6-digit code as totpCode", Role: user.Role);
        await catalog.ResetSignInFailuresAsync(user.Username, ct).ConfigureAwait(false);
        return SignInOutcome.Success with { Role = user.Role };
    }

    /// <summary>The second step: the current code of a user whose password was right. A code is accepted once.</summary>
    public async Task<SignInOutcome> CheckCodeAsync(IPAddress? address, string username, string? code, CancellationToken ct)
    {
        if (throttle.RetryAfter(address) is { } wait) return new(SignInRefusal.Throttled, "too many failed attempts", wait);
        var user = await catalog.GetUserAsync(username, ct).ConfigureAwait(false);
        if (LockedFor(user, username) is { } locked) return Locked(locked);
        if (user is null) return new(SignInRefusal.WrongCredentials, "wrong user name or password");
        if (user.TotpSecret is null)
        {
            // Two-factor was removed meanwhile: the password step already proved enough.
            await catalog.ResetSignInFailuresAsync(user.Username, ct).ConfigureAwait(false);
            return SignInOutcome.Success with { Role = user.Role };
        }

        var secret = secrets.Unprotect(user.TotpSecret);
        if (secret is null || Totp.Match(secret, code, time.GetUtcNow()) is not { } step
            || !await catalog.UseTotpStepAsync(user.Username, step, ct).ConfigureAwait(false))
        {
            return await FailAsync(address, user, username, new(SignInRefusal.WrongCode, "wrong or already used two-factor code"), ct).ConfigureAwait(false);
        }

        await catalog.ResetSignInFailuresAsync(user.Username, ct).ConfigureAwait(false);
        return SignInOutcome.Success with { Role = user.Role };
    }

    /// <summary>Both steps at once (the JSON API): password, then the code when the account has two-factor sign-in.</summary>
    public async Task<SignInOutcome> CheckPasswordAndCodeAsync(IPAddress? address, string? username, string? password, string? code, CancellationToken ct)
    {
        var outcome = await CheckPasswordAsync(address, username, password, ct).ConfigureAwait(false);
        return outcome.Refusal == SignInRefusal.CodeRequired && !string.IsNullOrEmpty(code)
            ? await CheckCodeAsync(address, username!, code, ct).ConfigureAwait(false)
            : outcome;
    }

    /// <summary>
    /// Checks the password of a signed-in user who is about to change something about the account. Failures count
    /// like failed sign-ins, so a stolen session cannot try passwords here without limit.
    /// </summary>
    public async Task<SignInOutcome> ConfirmPasswordAsync(IPAddress? address, string username, string? password, CancellationToken ct)
    {
        if (throttle.RetryAfter(address) is { } wait) return new(SignInRefusal.Throttled, "too many failed attempts", wait);
        var user = await catalog.GetUserAsync(username, ct).ConfigureAwait(false);
        var ok = PasswordHasher.Verify(password ?? "", user?.PasswordHash ?? hasher.DummyHash) && user is not null;
        if (LockedFor(user, username) is { } locked) return Locked(locked);
        return ok
            ? SignInOutcome.Success with { Role = user!.Role }
            : await FailAsync(address, user, username, new(SignInRefusal.WrongCredentials, "wrong password"), ct).ConfigureAwait(false);
    }

    private TimeSpan? LockedFor(UserRecord? user, string username)
    {
        var until = user is not null ? user.LockedUntil : _unknown.TryGetValue(username, out var u) ? u.LockedUntil : null;
        var left = until - time.GetUtcNow();
        return left > TimeSpan.Zero ? left : null;
    }

    private SignInOutcome Locked(TimeSpan left) =>
        new(SignInRefusal.Locked, "this account is locked after too many failed sign-ins", left);

    private async Task<SignInOutcome> FailAsync(IPAddress? address, UserRecord? user, string username, SignInOutcome refusal, CancellationToken ct)
    {
        throttle.RecordFailure(address);
        var lockFor = TimeSpan.FromMinutes(options.AccountLockoutMinutes);
        var until = time.GetUtcNow() + lockFor;
        bool lockedNow;
        if (user is not null)
        {
            lockedNow = await catalog.RecordSignInFailureAsync(user.Username, options.AccountLockoutFailures, until, ct).ConfigureAwait(false);
        }
        else
        {
            if (_unknown.Count > MaxTrackedUnknownNames) _unknown.Clear();
            var failures = _unknown.AddOrUpdate(username, static _ => (1, null), static (_, e) => (e.Failures + 1, e.LockedUntil)).Failures;
            lockedNow = failures >= options.AccountLockoutFailures;
            if (lockedNow) _unknown[username] = (0, until);
        }

        return lockedNow ? Locked(lockFor) : refusal;
    }
}
