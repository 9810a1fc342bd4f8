using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Hosting;
using Npgsql;

namespace Hort.Server.Tests;

/// <summary>
/// The catalog suite, run against SQLite and against PostgreSQL. The PostgreSQL cases need a server:
/// scripts/test.sh starts a throwaway cluster and sets HORT_TEST_POSTGRES to its connection string.
/// </summary>
[Trait("Category", "Catalog")]
public sealed class CatalogTests
{
    public const string PostgresVariable = "HORT_TEST_POSTGRES";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Providers() => [CatalogOptions.Sqlite, CatalogOptions.PostgreSql];

    /// <summary>A fresh, empty catalog of the provider (a new database for PostgreSQL).</summary>
    internal static async Task<(HortdOptions Options, Func<Task> Cleanup)> FreshAsync(string provider)
    {
        var options = TestServer.NewOptions();
        if (provider == CatalogOptions.Sqlite)
        {
            return (options, () => Task.Run(() => Directory.Delete(options.DataDirectory, true)));
        }

        var connection = Environment.GetEnvironmentVariable(PostgresVariable);
        Assert.SkipWhen(string.IsNullOrEmpty(connection), $"{PostgresVariable} is not set (scripts/test.sh starts PostgreSQL and sets it)");
        var database = "hort_test_" + Guid.NewGuid().ToString("N");
        await using (var admin = new NpgsqlConnection(connection))
        {
            await admin.OpenAsync(Ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", admin);
            await create.ExecuteNonQueryAsync(Ct);
        }

        options.Catalog = new CatalogOptions
        {
            Provider = CatalogOptions.PostgreSql,
            ConnectionString = new NpgsqlConnectionStringBuilder(connection) { Database = database, Pooling = false }.ToString(),
        };
        return (options, async () =>
        {
            await using var admin = new NpgsqlConnection(connection);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
            Directory.Delete(options.DataDirectory, true);
        });
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Schema_migrates_once_and_a_reopen_keeps_the_data(string provider)
    {
        var (options, cleanup) = await FreshAsync(provider);
        try
        {
            await using (var catalog = await ServerCatalog.OpenAsync(options, Ct))
            {
                Assert.Equal(CatalogSchema.Migrations.Count, await catalog.SchemaVersionAsync(Ct));
                Assert.True(await catalog.AddFirstAdminAsync("admin", "hash", DateTimeOffset.UnixEpoch, Ct));
                Assert.False(await catalog.AddFirstAdminAsync("second", "hash", DateTimeOffset.UnixEpoch, Ct));
            }

            await using (var again = await ServerCatalog.OpenAsync(options, Ct))
            {
                Assert.Equal(CatalogSchema.Migrations.Count, await again.SchemaVersionAsync(Ct));
                Assert.Equal("hash", await again.AdminPasswordHashAsync("admin", Ct));
                Assert.Equal(1, await again.CountAdminsAsync(Ct));
            }
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Pcs_groups_codes_jobs_snapshots_and_known_sets_round_trip(string provider)
    {
        var (options, cleanup) = await FreshAsync(provider);
        try
        {
            await using var catalog = await ServerCatalog.OpenAsync(options, Ct);
            var now = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
            Assert.True(await catalog.AddGroupAsync(new GroupRecord("g1", "Office", PolicyDto.Default), Ct));
            Assert.False(await catalog.AddGroupAsync(new GroupRecord("g2", "Office", null), Ct));

            await catalog.AddEnrollmentCodeAsync("c1", "codehash", "g1", "Desk", now, now.AddHours(1), Ct);
            var pc = await catalog.EnrollAsync("codehash", (name, group) =>
                new PcRecord("p1", name!, "host", group, "Linux", "1", now, null, "credhash", false, null), now, Ct);
            Assert.Equal(("Desk", "g1"), (pc!.Name, pc.GroupId));
            Assert.Null(await catalog.EnrollAsync("codehash", (_, _) => throw new InvalidOperationException("used code must not enroll"), now, Ct));
            Assert.Equal("used", Assert.Single(await catalog.ListEnrollmentCodesAsync(now, Ct)).State);

            var stored = await catalog.GetPcAsync("p1", Ct);
            Assert.Equal(("credhash", false, now), (stored!.CredentialHash, stored.Revoked, stored.Enrolled));
            await catalog.SetPcPolicyAsync("p1", PolicyDto.Default with { Concurrency = 2 }, Ct);
            Assert.Equal(2, (await catalog.GetPcAsync("p1", Ct))!.Policy!.Concurrency);
            Assert.True(await catalog.RevokePcAsync("p1", Ct));
            Assert.True((await catalog.GetPcAsync("p1", Ct))!.Revoked);

            await catalog.AddSnapshotAsync(new SnapshotDto("s1", "p1", now, "host", ["/home", "/etc"], "tree", 3, 100), Ct);
            await catalog.AddSnapshotAsync(new SnapshotDto("s1", "p1", now, "host", ["/home", "/etc"], "tree", 3, 100), Ct);
            var snapshot = Assert.Single(await catalog.ListSnapshotsAsync("p1", Ct));
            Assert.Equal(["/home", "/etc"], snapshot.Paths);
            Assert.Equal(now, snapshot.Time);

            var ids = Enumerable.Range(0, 1200).Select(i => i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture)).ToList();
            await catalog.AddKnownBlobsAsync("p1", ids, Ct);
            await catalog.AddKnownBlobsAsync("p1", ids.Take(10).ToList(), Ct);
            var known = await catalog.KnownBlobsAsync("p1", [.. ids, "f".PadLeft(64, 'f')], Ct);
            Assert.Equal(1200, known.Count);
            Assert.Empty(await catalog.KnownBlobsAsync("p2", ids, Ct));

            await catalog.AddJobAsync(new JobDto("j1", "p1", JobValues.Backup, JobValues.Queued, now, null, null, null, null), null, Ct);
            await catalog.UpdateJobAsync("j1", JobValues.Succeeded, now.AddMinutes(1), "s1", "ok", Ct);
            var job = await catalog.GetJobAsync("j1", Ct);
            Assert.Equal((JobValues.Succeeded, "s1", now.AddMinutes(1)), (job!.State, job.SnapshotId, job.Finished));
            await catalog.AddJobLogAsync("j1", [new JobLogEntry(now, "info", "one"), new JobLogEntry(now, "warn", "two")], Ct);
            Assert.Equal(["one", "two"], (await catalog.JobLogAsync("j1", Ct)).Select(l => l.Message));

            await catalog.AddAuditAsync(now, "admin", "127.0.0.1", "create-group", "g1", Ct);
            Assert.Equal("create-group", Assert.Single(await catalog.ListAuditAsync(10, Ct)).Action);

            Assert.True(await catalog.DeleteGroupAsync("g1", Ct));
            Assert.Null((await catalog.GetPcAsync("p1", Ct))!.GroupId);
        }
        finally
        {
            await cleanup();
        }
    }
}
