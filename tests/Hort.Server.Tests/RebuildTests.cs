using System.Net;
using System.Text;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Hosting;

namespace Hort.Server.Tests;

[Trait("Category", "Catalog")]
public sealed class RebuildTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(CatalogTests.Providers), MemberType = typeof(CatalogTests))]
    public async Task Rebuild_catalog_restores_snapshots_and_known_sets_from_the_repository_alone(string provider)
    {
        var (options, cleanup) = await CatalogTests.FreshAsync(provider);
        Func<Task>? dropFresh = null;
        try
        {
            EnrollResponse pc;
            string snapshotId;
            var chunk = Encoding.UTF8.GetBytes("content that must stay known after a rebuild");
            await using (var server = await TestServer.StartAsync(options))
            {
                server.KeepData = true;
                var admin = await server.AdminAsync();
                var group = await (await admin.PostAsync(Routes.Groups, new GroupCreateRequest("Office"), ProtocolJson.Default.GroupCreateRequest)).ReadAsync(ProtocolJson.Default.GroupDto);
                HttpClient client;
                (pc, client) = await server.EnrollAsync(admin, "desk-1", group.Id);
                var policy = PolicyDto.Default with { Keep = new RetentionRule(9, 9, 9) };
                Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync(Routes.Format(Routes.PcPolicy, pc.PcId), policy, ProtocolJson.Default.PolicyDto)).StatusCode);
                snapshotId = (await new AgentUploads(client, pc).BackupAsync(chunk)).SnapshotId;
            }

            // Throw away the cached part of the catalog (snapshots, known sets) and rebuild it.
            await using (var catalog = await ServerCatalog.OpenAsync(options, Ct))
            {
                await catalog.ClearDerivedAsync(Ct);
                Assert.Empty(await catalog.ListSnapshotsAsync(pc.PcId, Ct));
            }

            var result = await CatalogRebuild.RunAsync(options, TextWriter.Null, TimeProvider.System, Ct);
            Assert.Equal((1, 1), (result.Pcs, result.Snapshots));
            Assert.Equal(2, result.KnownBlobs); // the tree and its chunk

            await using (var server = await TestServer.StartAsync(options))
            {
                server.KeepData = true;
                var client = server.Client(pc.Credential);
                var snapshot = Assert.Single(await client.GetAsync(Routes.AgentSnapshots, ProtocolJson.Default.IReadOnlyListSnapshotDto));
                Assert.Equal(snapshotId, snapshot.Id);
                var agent = new AgentUploads(client, pc);
                var session = await agent.OpenSessionAsync();
                Assert.Empty(await agent.NeededAsync(session, agent.Id(chunk)));
            }

            // With the catalog gone entirely, everything comes back from the repository: the administrator, the group,
            // the PC with its credential and policy, its snapshot and its known set.
            if (provider == CatalogOptions.Sqlite)
            {
                File.Delete(options.CatalogPath);
                File.Delete(options.CatalogPath + "-wal");
                File.Delete(options.CatalogPath + "-shm");
            }
            else
            {
                var fresh = await CatalogTests.FreshAsync(provider);
                dropFresh = fresh.Cleanup;
                options.Catalog = fresh.Options.Catalog;
            }

            result = await CatalogRebuild.RunAsync(options, TextWriter.Null, TimeProvider.System, Ct);
            Assert.Equal((1, 1), (result.Pcs, result.Snapshots));
            await using (var server = await TestServer.StartAsync(options))
            {
                server.KeepData = true;
                Assert.DoesNotContain("setup code", server.Console.ToString(), StringComparison.Ordinal);
                var admin = server.Client(await TestServer.LoginAsync(server.Client(), "admin", TestServer.AdminPassword));
                var restored = await admin.GetAsync(Routes.Format(Routes.Pc, pc.PcId), ProtocolJson.Default.PcDto);
                Assert.Equal(("desk-1", false), (restored.Name, restored.Revoked));
                Assert.Equal("Office", (await admin.GetAsync(Routes.Groups, ProtocolJson.Default.IReadOnlyListGroupDto)).Single(g => g.Id == restored.GroupId).Name);
                var effective = await admin.GetAsync(Routes.Format(Routes.PcPolicy, pc.PcId), ProtocolJson.Default.EffectivePolicyResponse);
                Assert.Equal((PolicySource.Pc, 9), (effective.Source, effective.Policy.Keep.Daily));
                var agent = new AgentUploads(server.Client(pc.Credential), pc);
                Assert.Equal(snapshotId, Assert.Single(await agent.Client.GetAsync(Routes.AgentSnapshots, ProtocolJson.Default.IReadOnlyListSnapshotDto)).Id);
                Assert.Empty(await agent.NeededAsync(await agent.OpenSessionAsync(), agent.Id(chunk)));
            }
        }
        finally
        {
            await cleanup();
            if (dropFresh is not null) await dropFresh();
        }
    }

    [Fact]
    public async Task Status_counts_pcs_and_snapshots()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        await new AgentUploads(client, pc).BackupAsync(Encoding.UTF8.GetBytes("x"));
        var status = await server.Client().GetAsync(Routes.Status, ProtocolJson.Default.StatusResponse);
        Assert.Equal((1, 1, "sqlite"), (status.Pcs, status.Snapshots, status.Catalog));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(Routes.Status, Ct)).StatusCode);
    }
}
