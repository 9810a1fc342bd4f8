using Dapper;

namespace Hort.Server.Catalog;

/// <summary>
/// A dashboard user (table <c>admins</c>): role <c>admin</c> or <c>restore</c>, the two-factor secret as data
/// protection wrote it (null without two-factor), the last time step a code was accepted for, and the lockout state.
/// </summary>
public sealed record UserRecord(
    string Username, string PasswordHash, string Role, string? TotpSecret, long? TotpLastStep, int FailedAttempts,
    DateTimeOffset? LockedUntil, DateTimeOffset Created)
{
    public bool HasTotp => TotpSecret is not null;
}

/// <summary>An admin token's owner and expiry.</summary>
public sealed record AdminSession(string Username, DateTimeOffset Expires);

public sealed partial class ServerCatalog
{
    /// <summary>How many dashboard users exist (of any role; the first one is always an administrator).</summary>
    public async Task<long> CountAdminsAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM admins").ConfigureAwait(false);
    }

    /// <summary>Adds the first admin; false (and nothing written) when an admin already exists.</summary>
    public async Task<bool> AddFirstAdminAsync(string username, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        // One statement, so two concurrent setups cannot both succeed.
        var rows = await c.ExecuteAsync(
            "INSERT INTO admins (username, password_hash, created, role) SELECT @username, @passwordHash, @created, 'admin' WHERE NOT EXISTS (SELECT 1 FROM admins)",
            new { username, passwordHash, created = Ms(now) }).ConfigureAwait(false);
        return rows == 1;
    }

    /// <summary>Adds or replaces a user (used when rebuilding from the server state).</summary>
    public async Task PutAdminAsync(string username, string passwordHash, DateTimeOffset created, string role, string? totpSecret, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            """
            INSERT INTO admins (username, password_hash, created, role, totp_secret) VALUES (@username, @passwordHash, @created, @role, @totpSecret)
            ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, role = excluded.role, totp_secret = excluded.totp_secret
            """,
            new { username, passwordHash, created = Ms(created), role, totpSecret }).ConfigureAwait(false);
    }

    public async Task<string?> AdminPasswordHashAsync(string username, CancellationToken cancellationToken) =>
        (await GetUserAsync(username, cancellationToken).ConfigureAwait(false))?.PasswordHash;

    /// <summary>Every dashboard user, by name.</summary>
    public async Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<UserRow>($"SELECT {UserColumns} FROM admins ORDER BY username").ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord())];
    }

    public async Task<UserRecord?> GetUserAsync(string username, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<UserRow>($"SELECT {UserColumns} FROM admins WHERE username = @username", new { username })
            .ConfigureAwait(false);
        return row?.ToRecord();
    }

    /// <summary>Adds a user; false when the name is taken.</summary>
    public async Task<bool> AddUserAsync(string username, string passwordHash, string role, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.ExecuteAsync(
            "INSERT INTO admins (username, password_hash, created, role) VALUES (@username, @passwordHash, @created, @role) ON CONFLICT (username) DO NOTHING",
            new { username, passwordHash, created = Ms(now), role }).ConfigureAwait(false);
        return rows == 1;
    }

    /// <summary>Sets a new password, lifts a lockout and ends the user's sessions; false when there is no such user.</summary>
    public async Task<bool> SetPasswordAsync(string username, string passwordHash, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.ExecuteAsync(
            "UPDATE admins SET password_hash = @passwordHash, failed_attempts = 0, locked_until = NULL WHERE username = @username",
            new { username, passwordHash }).ConfigureAwait(false);
        await c.ExecuteAsync("DELETE FROM admin_tokens WHERE username = @username", new { username }).ConfigureAwait(false);
        return rows == 1;
    }

    /// <summary>
    /// Changes a user's role and ends their sessions; false when there is no such user or when it would leave no
    /// administrator (checked in the same statement, so two demotions at once cannot both pass).
    /// </summary>
    public async Task<bool> SetRoleAsync(string username, string role, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.ExecuteAsync(
            $"UPDATE admins SET role = @role WHERE username = @username AND role <> @role AND (@role = 'admin' OR {NotLastAdmin})",
            new { username, role }).ConfigureAwait(false);
        if (rows == 1) await c.ExecuteAsync("DELETE FROM admin_tokens WHERE username = @username", new { username }).ConfigureAwait(false);
        return rows == 1;
    }

    /// <summary>Deletes a user and their sessions; false when there is no such user or it is the last administrator.</summary>
    public async Task<bool> DeleteUserAsync(string username, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.ExecuteAsync($"DELETE FROM admins WHERE username = @username AND {NotLastAdmin}", new { username }).ConfigureAwait(false);
        if (rows == 1) await c.ExecuteAsync("DELETE FROM admin_tokens WHERE username = @username", new { username }).ConfigureAwait(false);
        return rows == 1;
    }

    /// <summary>Sets (or with null removes) the user's protected two-factor secret; no time step is used yet.</summary>
    public async Task<bool> SetTotpSecretAsync(string username, string? protectedSecret, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync("UPDATE admins SET totp_secret = @protectedSecret, totp_last_step = NULL WHERE username = @username",
            new { username, protectedSecret }).ConfigureAwait(false) == 1;
    }

    /// <summary>Records <paramref name="step"/> as used; false when it or a later step was used already (a replayed code).</summary>
    public async Task<bool> UseTotpStepAsync(string username, long step, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteAsync(
            "UPDATE admins SET totp_last_step = @step WHERE username = @username AND (totp_last_step IS NULL OR totp_last_step < @step)",
            new { username, step }).ConfigureAwait(false) == 1;
    }

    /// <summary>
    /// Counts a failed sign-in; at <paramref name="maxFailures"/> in a row the account is locked until
    /// <paramref name="lockUntil"/> and the count starts again. True when this failure locked it.
    /// </summary>
    public async Task<bool> RecordSignInFailureAsync(string username, int maxFailures, DateTimeOffset lockUntil, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("UPDATE admins SET failed_attempts = failed_attempts + 1 WHERE username = @username", new { username }).ConfigureAwait(false);
        return await c.ExecuteAsync(
            "UPDATE admins SET failed_attempts = 0, locked_until = @until WHERE username = @username AND failed_attempts >= @maxFailures",
            new { username, maxFailures, until = Ms(lockUntil) }).ConfigureAwait(false) == 1;
    }

    /// <summary>A successful sign-in (or an administrator) clears the failure count and any lockout.</summary>
    public async Task ResetSignInFailuresAsync(string username, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            "UPDATE admins SET failed_attempts = 0, locked_until = NULL WHERE username = @username AND (failed_attempts <> 0 OR locked_until IS NOT NULL)",
            new { username }).ConfigureAwait(false);
    }

    /// <summary>Ends every session and API token of the user.</summary>
    public async Task DeleteAdminTokensOfAsync(string username, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("DELETE FROM admin_tokens WHERE username = @username", new { username }).ConfigureAwait(false);
    }

    public async Task AddAdminTokenAsync(string tokenHash, string username, DateTimeOffset expires, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("INSERT INTO admin_tokens (token_hash, username, expires) VALUES (@tokenHash, @username, @expires)",
            new { tokenHash, username, expires = Ms(expires) }).ConfigureAwait(false);
    }

    /// <summary>The token's session if it exists and has not expired; extends it to <paramref name="newExpiry"/> (sliding).</summary>
    public async Task<AdminSession?> UseAdminTokenAsync(string tokenHash, DateTimeOffset now, DateTimeOffset newExpiry, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var row = await c.QuerySingleOrDefaultAsync<TokenRow>(
            "SELECT username, expires FROM admin_tokens WHERE token_hash = @tokenHash", new { tokenHash }).ConfigureAwait(false);
        if (row is null || row.Expires <= Ms(now))
        {
            return null;
        }

        // Extend at most once a minute, so reads do not turn into writes on every request.
        if (Ms(newExpiry) - row.Expires > 60_000)
        {
            await c.ExecuteAsync("UPDATE admin_tokens SET expires = @expires WHERE token_hash = @tokenHash",
                new { tokenHash, expires = Ms(newExpiry) }).ConfigureAwait(false);
            return new AdminSession(row.Username, newExpiry);
        }

        return new AdminSession(row.Username, Time(row.Expires));
    }

    public async Task DeleteAdminTokenAsync(string tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync("DELETE FROM admin_tokens WHERE token_hash = @tokenHash OR expires <= @now", new { tokenHash, now = Ms(now) }).ConfigureAwait(false);
    }

    private const string UserColumns = "username, password_hash, role, totp_secret, totp_last_step, failed_attempts, locked_until, created";

    /// <summary>True for a row that is not an administrator, or while another administrator remains.</summary>
    private const string NotLastAdmin = "(role <> 'admin' OR (SELECT COUNT(*) FROM admins WHERE role = 'admin') > 1)";

    private sealed class UserRow
    {
        public string Username { get; set; } = "";
        public string PasswordHash { get; set; } = "";
        public string Role { get; set; } = "";
        public string? TotpSecret { get; set; }
        public long? TotpLastStep { get; set; }
        public long FailedAttempts { get; set; }
        public long? LockedUntil { get; set; }
        public long Created { get; set; }

        public UserRecord ToRecord() =>
            new(Username, PasswordHash, Role, TotpSecret, TotpLastStep, (int)FailedAttempts, Time(LockedUntil), Time(Created));
    }

    private sealed class TokenRow
    {
        public string Username { get; set; } = "";
        public long Expires { get; set; }
    }
}
