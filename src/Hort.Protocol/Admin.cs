namespace Hort.Protocol;

/// <summary>POST /api/v1/setup: create the first administrator with the printed setup code.</summary>
public sealed record SetupRequest(string SetupCode, string Username, string Password);

/// <summary>An administrator as shown to administrators.</summary>
public sealed record AdminDto(string Username);

/// <summary>POST /api/v1/auth/login; <paramref name="TotpCode"/> is the current code when the account has two-factor sign-in.</summary>
public sealed record LoginRequest(string Username, string Password, string? TotpCode = null);

/// <summary>The admin token and when it expires unless used.</summary>
public sealed record LoginResponse(string Token, DateTimeOffset Expires);

/// <summary>One entry of the audit log.</summary>
public sealed record AuditEntryDto(long Id, DateTimeOffset Time, string Admin, string RemoteAddress, string Action, string Target);

/// <summary>Rules admin passwords must meet.</summary>
public static class PasswordRules
{
    public const int MinLength = 12;
    public const int MaxLength = 1024;

    /// <summary>Why <paramref name="password"/> is not acceptable, or null.</summary>
    public static string? Problem(string? password) => password switch
    {
        null or "" => "a password is required",
        { Length: < MinLength } => $"the password must have at least {MinLength} characters",
        { Length: > MaxLength } => $"the password must have at most {MaxLength} characters",
        _ => null,
    };
}
