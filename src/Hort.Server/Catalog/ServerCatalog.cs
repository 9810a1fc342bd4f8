using System.Data.Common;
using Dapper;
using Hort.Core;
using Hort.Server.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hort.Server.Catalog;

/// <summary>
/// The server's catalog in SQLite or PostgreSQL: one schema, migrated at start. It is a cache of the repository
/// plus the server state that <see cref="ServerStateStore"/> mirrors into the repository.
/// </summary>
public sealed partial class ServerCatalog : IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly NpgsqlDataSource? _postgres;

    static ServerCatalog()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    private ServerCatalog(string provider, string connectionString, NpgsqlDataSource? postgres)
    {
        Provider = provider;
        _connectionString = connectionString;
        _postgres = postgres;
    }

    /// <summary><c>sqlite</c> or <c>postgresql</c>.</summary>
    public string Provider { get; }

    public bool IsPostgres => _postgres is not null;

    /// <summary>Opens the catalog the options name and brings its schema up to date.</summary>
    public static async Task<ServerCatalog> OpenAsync(HortdOptions options, CancellationToken cancellationToken)
    {
        ServerCatalog catalog;
        if (options.Catalog.Provider == CatalogOptions.PostgreSql)
        {
            catalog = new ServerCatalog(CatalogOptions.PostgreSql, options.Catalog.ConnectionString!,
                NpgsqlDataSource.Create(options.Catalog.ConnectionString!));
        }
        else
        {
            var path = options.Catalog.ConnectionString is { Length: > 0 } file ? file : options.CatalogPath;
            var builder = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 };
            catalog = new ServerCatalog(CatalogOptions.Sqlite, builder.ToString(), null);
        }

        try
        {
            await catalog.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            await catalog.DisposeAsync().ConfigureAwait(false);
            throw new HortException($"cannot open the {catalog.Provider} catalog: {e.Message}", e);
        }

        return catalog;
    }

    /// <summary>An open connection; SQLite connections get the pragmas the catalog relies on.</summary>
    internal async Task<DbConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;").ConfigureAwait(false);
        return connection;
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (IsPostgres)
        {
            // Several servers may share one PostgreSQL catalog; only one migrates at a time.
            await connection.ExecuteAsync("SELECT pg_advisory_lock(7291004)").ConfigureAwait(false);
        }
        else
        {
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL").ConfigureAwait(false);
        }

        try
        {
            await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)").ConfigureAwait(false);
            var current = await connection.ExecuteScalarAsync<long?>("SELECT MAX(version) FROM schema_version").ConfigureAwait(false) ?? 0;
            if (current > CatalogSchema.Migrations.Count)
            {
                throw new UnsupportedFormatException($"the catalog has schema version {current}, newer than this hortd knows ({CatalogSchema.Migrations.Count}); use a newer hortd or rebuild the catalog");
            }

            var idColumn = IsPostgres ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
            for (var version = (int)current + 1; version <= CatalogSchema.Migrations.Count; version++)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                foreach (var statement in CatalogSchema.Migrations[version - 1])
                {
                    await connection.ExecuteAsync(statement.Replace("{id}", idColumn, StringComparison.Ordinal), transaction: transaction).ConfigureAwait(false);
                }

                await connection.ExecuteAsync("INSERT INTO schema_version (version) VALUES (@version)", new { version }, transaction).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            if (IsPostgres)
            {
                await connection.ExecuteAsync("SELECT pg_advisory_unlock(7291004)").ConfigureAwait(false);
            }
        }
    }

    /// <summary>The schema version after migration.</summary>
    public async Task<long> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>("SELECT MAX(version) FROM schema_version").ConfigureAwait(false);
    }

    internal static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    internal static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    internal static DateTimeOffset? Time(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            // Pooled connections keep the file open; a closed catalog must let go of it (a rebuild may replace it).
            await using var connection = new SqliteConnection(_connectionString);
            SqliteConnection.ClearPool(connection);
        }
    }
}
