using System.Text;
using Hort.Engine.Maintenance;
using Hort.Repository;
using Hort.Repository.Maintenance;
using Hort.Server.Hosting;
using Hort.Storage;

namespace Hort.Server.Tests;

/// <summary>hortd keeps its index in memory, so a prune run beside it must never delete what hortd may still rely on.</summary>
public sealed class PruneWhileServingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_prune_beside_a_running_hortd_only_announces_and_finishes_after_hortd_stopped()
    {
        var options = TestServer.NewOptions();
        try
        {
            IReadOnlySet<string> packsBefore;
            await using (var server = await TestServer.StartAsync(options))
            {
                server.KeepData = true;
                var admin = await server.AdminAsync();
                var (pc, client) = await server.EnrollAsync(admin, "desk-1");
                await new AgentUploads(client, pc).BackupAsync(Encoding.UTF8.GetBytes("data only a forgotten snapshot used"));

                using var repository = await OpenAsync(options);
                var leases = await RepositoryLease.ListAsync(repository, BlobKind.Lease, Ct);
                Assert.Equal("hortd", Assert.Single(leases).Purpose);

                await repository.ForgetSnapshotsAsync(await repository.ListSnapshotsAsync(Ct), cancellationToken: Ct);
                packsBefore = await PacksAsync(repository);
                Assert.NotEmpty(packsBefore);

                var report = await new Pruner(repository, Prune()).RunAsync(Ct);

                Assert.Equal(PruneOutcome.Deferred, report.Outcome);
                Assert.Single(report.WaitingFor);
                Assert.Equal(packsBefore, await PacksAsync(repository));
            }

            // hortd stopped and removed its lease: the next prune deletes what the forgotten snapshot alone used.
            using (var repository = await OpenAsync(options))
            {
                Assert.Empty(await RepositoryLease.ListAsync(repository, BlobKind.Lease, Ct));
                var report = await new Pruner(repository, Prune()).RunAsync(Ct);

                Assert.Equal(PruneOutcome.Completed, report.Outcome);
                Assert.True(report.PacksDeleted > 0);
                Assert.Empty(packsBefore.Intersect(await PacksAsync(repository)));
            }
        }
        finally
        {
            Directory.Delete(options.DataDirectory, recursive: true);
        }
    }

    private static PruneOptions Prune() => new() { MaxUnused = 0, Leases = LocalLeases.Leases, Owner = LocalLeases.Owner };

    private static async Task<HortRepository> OpenAsync(HortdOptions options)
    {
        var store = new LocalDirectoryBlobStore(options.ResolvedRepositoryPath, TimeProvider.System);
        var password = new DataFolder(options.DataDirectory).RepositoryPassword(out _);
        var repository = await HortRepository.OpenAsync(store, password, TimeProvider.System, Ct);
        await repository.LoadIndexAsync(Ct);
        return repository;
    }

    private static async Task<IReadOnlySet<string>> PacksAsync(HortRepository repository)
    {
        var packs = new HashSet<string>();
        await foreach (var (id, _) in repository.ListObjectsAsync(BlobKind.Pack, Ct))
        {
            packs.Add(id.ToString());
        }

        return packs;
    }
}
