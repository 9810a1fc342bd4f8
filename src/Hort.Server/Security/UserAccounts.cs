using System.Net;
using Hort.Protocol;
using Hort.Server.Catalog;

namespace Hort.Server.Security;

/// <summary>What a change to a user account came to.</summary>
public enum AccountChange
{
    Done,
    NoSuchUser,
    NameTaken,
    BadName,
    BadRole,
    BadPassword,
    PasswordsDiffer,
    LastAdmin,
    Yourself,
    WrongPassword,
    WrongCode,
    Expired,
}

/// <summary>The result of a change: what happened, a detail in the API's words (input rules), and the refusal of a password check.</summary>
public sealed record AccountResult(AccountChange Change, string? Detail = null, SignInOutcome? Refusal = null)
{
    public bool Succeeded => Change == AccountChange.Done;

    public static readonly AccountResult Done = new(AccountChange.Done);
}

/// <summary>A two-factor enrollment in progress: the new secret and the protected form the confirmation carries back.</summary>
public sealed record TotpEnrollment(byte[] Secret, string Pending, string Uri);

/// <summary>
/// Managing dashboard users (administrators on the Users page) and one's own account (the Account page): the rules
/// (one administrator always remains, nobody removes or demotes themselves, passwords and names follow the API's rules,
/// two-factor is on only after a right code, turning it off needs the password), kept apart from the pages.
/// </summary>
public sealed class UserAccounts(ServerCatalog catalog, PasswordHasher hasher, SignInChecks checks, TotpSecrets secrets, TimeProvider time)
{
    public const string Issuer = "Hort";
    private const string EnrollmentPurpose = "totp-enrollment";

    public Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken ct) => catalog.ListUsersAsync(ct);

    public async Task<AccountResult> AddAsync(string username, string? role, string? password, CancellationToken ct)
    {
        if (Names.Problem(username) is { } nameProblem) return new(AccountChange.BadName, nameProblem);
        if (!UserRoles.IsValid(role)) return new(AccountChange.BadRole);
        if (PasswordRules.Problem(password) is { } passwordProblem) return new(AccountChange.BadPassword, passwordProblem);
        return await catalog.AddUserAsync(username, hasher.Hash(password!), role!, time.GetUtcNow(), ct).ConfigureAwait(false)
            ? AccountResult.Done
            : new(AccountChange.NameTaken);
    }

    public async Task<AccountResult> SetRoleAsync(string actor, string username, string? role, CancellationToken ct)
    {
        if (!UserRoles.IsValid(role)) return new(AccountChange.BadRole);
        if (username == actor) return new(AccountChange.Yourself);
        var user = await catalog.GetUserAsync(username, ct).ConfigureAwait(false);
        if (user is null) return new(AccountChange.NoSuchUser);
        if (user.Role == role) return AccountResult.Done;
        return await catalog.SetRoleAsync(username, role!, ct).ConfigureAwait(false) ? AccountResult.Done : new(AccountChange.LastAdmin);
    }

    /// <summary>An administrator sets another user's password (forgotten, or after a lockout); their sessions end.</summary>
    public async Task<AccountResult> ResetPasswordAsync(string actor, string username, string? password, CancellationToken ct)
    {
        if (username == actor) return new(AccountChange.Yourself);
        if (PasswordRules.Problem(password) is { } problem) return new(AccountChange.BadPassword, problem);
        return await catalog.SetPasswordAsync(username, hasher.Hash(password!), ct).ConfigureAwait(false) ? AccountResult.Done : new(AccountChange.NoSuchUser);
    }

    /// <summary>An administrator removes another user's two-factor sign-in (a lost phone).</summary>
    public async Task<AccountResult> RemoveTotpAsync(string username, CancellationToken ct) =>
        await catalog.SetTotpSecretAsync(username, null, ct).ConfigureAwait(false) ? AccountResult.Done : new(AccountChange.NoSuchUser);

    public async Task<AccountResult> DeleteAsync(string actor, string username, CancellationToken ct)
    {
        if (username == actor) return new(AccountChange.Yourself);
        if (await catalog.GetUserAsync(username, ct).ConfigureAwait(false) is null) return new(AccountChange.NoSuchUser);
        return await catalog.DeleteUserAsync(username, ct).ConfigureAwait(false) ? AccountResult.Done : new(AccountChange.LastAdmin);
    }

    /// <summary>A user changes their own password with the current one; every session of theirs ends.</summary>
    public async Task<AccountResult> ChangeOwnPasswordAsync(IPAddress? address, string username, string? current, string? password, string? confirm, CancellationToken ct)
    {
        if (password != confirm) return new(AccountChange.PasswordsDiffer);
        if (PasswordRules.Problem(password) is { } problem) return new(AccountChange.BadPassword, problem);
        var check = await checks.ConfirmPasswordAsync(address, username, current, ct).ConfigureAwait(false);
        if (!check.Succeeded) return new(AccountChange.WrongPassword, Refusal: check);
        return await catalog.SetPasswordAsync(username, hasher.Hash(password!), ct).ConfigureAwait(false) ? AccountResult.Done : new(AccountChange.NoSuchUser);
    }

    /// <summary>A new secret for <paramref name="username"/>, not stored until <see cref="ConfirmTotpAsync"/> sees a right code.</summary>
    public TotpEnrollment StartTotp(string username)
    {
        var secret = Totp.NewSecret();
        return Resume(username, secret, secrets.ProtectPending(EnrollmentPurpose, TotpSecrets.EnrollmentLifetime, username, Base32.Encode(secret)));
    }

    /// <summary>The enrollment a confirmation form carried back, or null when it expired or belongs to someone else.</summary>
    public TotpEnrollment? ResumeTotp(string username, string? pending) =>
        secrets.UnprotectPending(EnrollmentPurpose, pending) is [var owner, var text] && owner == username && Base32.Decode(text) is { } secret
            ? Resume(username, secret, pending!)
            : null;

    /// <summary>Turns two-factor on when <paramref name="code"/> is right for the pending secret; that code is then used up.</summary>
    public async Task<AccountResult> ConfirmTotpAsync(string username, string? pending, string? code, CancellationToken ct)
    {
        if (ResumeTotp(username, pending) is not { } enrollment) return new(AccountChange.Expired);
        if (Totp.Match(enrollment.Secret, code, time.GetUtcNow()) is not { } step) return new(AccountChange.WrongCode);
        if (!await catalog.SetTotpSecretAsync(username, secrets.Protect(enrollment.Secret), ct).ConfigureAwait(false)) return new(AccountChange.NoSuchUser);
        await catalog.UseTotpStepAsync(username, step, ct).ConfigureAwait(false);
        return AccountResult.Done;
    }

    /// <summary>A user turns their own two-factor sign-in off; it takes the password.</summary>
    public async Task<AccountResult> DisableOwnTotpAsync(IPAddress? address, string username, string? password, CancellationToken ct)
    {
        var check = await checks.ConfirmPasswordAsync(address, username, password, ct).ConfigureAwait(false);
        if (!check.Succeeded) return new(AccountChange.WrongPassword, Refusal: check);
        await catalog.SetTotpSecretAsync(username, null, ct).ConfigureAwait(false);
        return AccountResult.Done;
    }

    private static TotpEnrollment Resume(string username, byte[] secret, string pending) =>
        new(secret, pending, Totp.ProvisioningUri(Issuer, username, secret));
}
