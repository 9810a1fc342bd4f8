using Dapper;

namespace Hort.Server.Catalog;

/// <summary>An admin token's owner and expiry.</summary>
public sealed record AdminSession(string Username, DateTimeOffset Expires);

public sealed partial class ServerCatalog
{
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
            "INSERT INTO admins (username, password_hash, created) SELECT @username, @passwordHash, @created WHERE NOT EXISTS (SELECT 1 FROM admins)",
            new { username, passwordHash, created = Ms(now) }).ConfigureAwait(false);
        return rows == 1;
    }

    /// <summary>Adds or replaces an admin (used when rebuilding from the server state).</summary>
    public async Task PutAdminAsync(string username, string passwordHash, DateTimeOffset created, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await c.ExecuteAsync(
            "INSERT INTO admins (username, password_hash, created) VALUES (@username, @passwordHash, @created) ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash",
            new { username, passwordHash, created = Ms(created) }).ConfigureAwait(false);
    }

    public async Task<string?> AdminPasswordHashAsync(string username, CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await c.ExecuteScalarAsync<string?>("SELECT password_hash FROM admins WHERE username = @username", new { username }).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<(string Username, string PasswordHash, DateTimeOffset Created)>> ListAdminsAsync(CancellationToken cancellationToken)
    {
        await using var c = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rows = await c.QueryAsync<AdminRow>("SELECT username, password_hash, created FROM admins ORDER BY username").ConfigureAwait(false);
        return [.. rows.Select(r => (r.Username, r.PasswordHash, Time(r.Created)))];
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

    private sealed class AdminRow
    {
        public string Username { get; set; } = "";
        public string PasswordHash { get; set; } = "";
        public long Created { get; set; }
    }

    private sealed class TokenRow
    {
        public string Username { get; set; } = "";
        public long Expires { get; set; }
    }
}
