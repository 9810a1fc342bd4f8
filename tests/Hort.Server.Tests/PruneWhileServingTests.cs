using System.Net;
using System.Text;
using Hort.Protocol;
using Hort.Repository.Maintenance;
using Hort.Server.Maintenance;
using Hort.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests;

/// <summary>
/// hortd holds a backup lease while it runs and keeps its index in memory. A prune beside it or inside it must free
/// space without a restart, and must never delete what an open backup session relies on.
/// </summary>
public sealed class PruneWhileServingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_external_prune_beside_running_hortd_completes_its_deletion_without_a_restart()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var uploads = new AgentUploads(client, pc);
        var forgottenData = Encoding.UTF8.GetBytes("data only a forgotten snapshot used");
        await uploads.BackupAsync(forgottenData);

        using var repository = await ServedRepository.OpenAsync(server.Options);
        await repository.ForgetSnapshotsAsync(await repository.ListSnapshotsAsync(Ct), cancellationToken: Ct);
        var packsBefore = await ServedRepository.PacksAsync(repository);

        // hortd has not taken the deletion into account yet: prune announces it and waits.
        var first = await new Pruner(repository, ServedRepository.Prune()).RunAsync(Ct);
        Assert.Equal(PruneOutcome.Deferred, first.Outcome);
        Assert.Equal(packsBefore, await ServedRepository.PacksAsync(repository));

        // hortd's next minute: it reloads its index without the announced packs, acknowledges, and finishes the deletion.
        await server.Host.Services.GetRequiredService<MaintenanceService>().TickAsync(Ct);

        Assert.Empty(packsBefore.Intersect(await ServedRepository.PacksAsync(repository)));
        Assert.Empty(await repository.ReadDeletionRecordsAsync(Ct));
        Assert.Equal("hortd", Assert.Single(await RepositoryLease.ListAsync(repository, BlobKind.Lease, Ct)).Purpose);
        Assert.Equal(PruneOutcome.NothingToDo, (await new Pruner(repository, ServedRepository.Prune()).RunAsync(Ct)).Outcome);

        // Still running, hortd knows the data is gone: it asks for it again, and the new snapshot is complete.
        var session = await uploads.OpenSessionAsync();
        Assert.Equal([uploads.Id(forgottenData)], await uploads.NeededAsync(session, uploads.Id(forgottenData)));
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync(Routes.Format(Routes.Session, session), Ct)).StatusCode);
        var again = await uploads.BackupAsync(forgottenData);
        Assert.True((await ServedRepository.CheckAsync(server.Options)).IsClean);
        Assert.Equal(forgottenData, await ServedRepository.RestoreFileAsync(server.Options, again.SnapshotId, "file"));
    }

    [Fact]
    public async Task After_a_deletion_a_commit_checks_again_the_subtrees_it_had_verified_before()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var uploads = new AgentUploads(client, pc);
        var lost = Encoding.UTF8.GetBytes("a file in a folder only a forgotten snapshot has");
        var kept = Encoding.UTF8.GetBytes("a file a kept snapshot has");
        var folder = AgentUploads.TreeOf(("file", [uploads.Id(lost)]));
        var forgottenRoot = AgentUploads.DirectoryOf("d", uploads.Id(folder));

        // The lost file's pack holds only it; the folder's tree shares a pack with data a kept snapshot uses.
        var first = await uploads.OpenSessionAsync();
        await UploadAllAsync(uploads, first, (SessionValues.Data, lost));
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync(Routes.Format(Routes.SessionCheckpoint, first), null, Ct)).StatusCode);
        await UploadAllAsync(uploads, first, (SessionValues.Data, kept), (SessionValues.Tree, folder), (SessionValues.Tree, forgottenRoot));
        Assert.Equal(HttpStatusCode.Created, (await uploads.CommitAsync(first, uploads.Id(forgottenRoot))).StatusCode);
        var keptFolder = AgentUploads.TreeOf(("file", [uploads.Id(kept)]));
        var keptRoot = AgentUploads.DirectoryOf("x", uploads.Id(keptFolder));
        var second = await uploads.OpenSessionAsync();
        await UploadAllAsync(uploads, second, (SessionValues.Tree, keptFolder), (SessionValues.Tree, keptRoot));
        var keptSnapshot = await (await uploads.CommitAsync(second, uploads.Id(keptRoot))).ReadAsync(ProtocolJson.Default.CommitResponse);

        // 'hort forget' of the first snapshot and 'hort prune' (repacking nothing) beside hortd: the catalog still lists
        // the snapshot, so the folder stays in the PC's verified set, while hortd finishes deleting the lost file.
        using (var repository = await ServedRepository.OpenAsync(server.Options))
        {
            var snapshots = await repository.ListSnapshotsAsync(Ct);
            await repository.ForgetSnapshotsAsync([.. snapshots.Where(s => s.Id.ToString() != keptSnapshot.SnapshotId)], cancellationToken: Ct);
            var report = await new Pruner(repository, ServedRepository.Prune() with { MaxUnused = 1 }).RunAsync(Ct);
            Assert.Equal((PruneOutcome.Deferred, 1, 0), (report.Outcome, report.PacksUnused, report.PacksRepacked));
        }

        await server.Host.Services.GetRequiredService<MaintenanceService>().TickAsync(Ct);

        // The PC believes the folder unchanged and names it again: the commit enters it, finds the file gone, commits nothing.
        var third = await uploads.OpenSessionAsync();
        var root = AgentUploads.DirectoryOf("e", uploads.Id(folder));
        await UploadAllAsync(uploads, third, (SessionValues.Tree, root));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await uploads.CommitAsync(third, uploads.Id(root))).StatusCode);
        Assert.True((await ServedRepository.CheckAsync(server.Options)).IsClean);
        using (var repository = await ServedRepository.OpenAsync(server.Options))
        {
            Assert.Equal(keptSnapshot.SnapshotId, Assert.Single(await repository.ListSnapshotsAsync(Ct)).Id.ToString());
        }
    }

    private static async Task UploadAllAsync(AgentUploads uploads, string session, params (string Type, byte[] Blob)[] blobs)
    {
        foreach (var (type, blob) in blobs)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await uploads.UploadAsync(session, type, blob)).StatusCode);
        }
    }

    [Fact]
    public async Task A_scheduled_prune_frees_space_while_a_session_open_across_it_still_commits_a_valid_snapshot()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var pruneAt = clock.GetUtcNow().AddHours(2);
        var options = TestServer.NewOptions();
        var earlier = TimeOnly.FromDateTime(clock.GetUtcNow().AddHours(-1).UtcDateTime);
        options.Maintenance = new MaintenanceOptions
        {
            PruneDay = pruneAt.DayOfWeek, PruneTime = TimeOnly.FromDateTime(pruneAt.UtcDateTime), PruneMaxUnusedPercent = 0,
            RetentionTime = earlier, VerifyTime = earlier,
        };
        await using var server = await TestServer.StartAsync(options, clock);
        var maintenance = server.Host.Services.GetRequiredService<MaintenanceService>();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var uploads = new AgentUploads(client, pc);
        await uploads.BackupAsync(Encoding.UTF8.GetBytes("data only a forgotten snapshot used"));
        IReadOnlySet<string> forgottenPacks;
        using (var repository = await ServedRepository.OpenAsync(options))
        {
            await repository.ForgetSnapshotsAsync(await repository.ListSnapshotsAsync(Ct), cancellationToken: Ct);
            forgottenPacks = await ServedRepository.PacksAsync(repository);
        }

        await maintenance.TickAsync(Ct);
        Assert.Equal(pruneAt, maintenance.Next().Single(n => n.Kind == MaintenanceKind.Prune).Next);

        // A backup session uploads new data and makes it durable; no snapshot uses it yet.
        var fresh = Encoding.UTF8.GetBytes("data of a backup running across the prune");
        var session = await uploads.OpenSessionAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await uploads.UploadAsync(session, SessionValues.Data, fresh)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync(Routes.Format(Routes.SessionCheckpoint, session), null, Ct)).StatusCode);

        // The weekly prune comes due: it announces the deletion of everything unused, the session's new pack too, and
        // the deletion waits for the open session.
        clock.Set(pruneAt.AddMinutes(1));
        // The lease's refresh timer runs on real time, so the jump is a lapse of hortd's lease: the tick writes it again
        // and reloads hortd's state from storage first, as after a suspended machine.
        await maintenance.TickAsync(Ct);
        var prune = await LatestAsync(admin, MaintenanceKind.Prune);
        Assert.Equal((MaintenanceRunner.BySchedule, MaintenanceResult.Deferred), (prune.Cause, prune.Result));
        using (var repository = await ServedRepository.OpenAsync(options))
        {
            Assert.Single(await repository.ReadDeletionRecordsAsync(Ct));
            Assert.Empty(forgottenPacks.Except(await ServedRepository.PacksAsync(repository)));
        }

        // The session commits across the prune.
        var tree = AgentUploads.TreeOf(("file", [uploads.Id(fresh)]));
        Assert.Equal(HttpStatusCode.NoContent, (await uploads.UploadAsync(session, SessionValues.Tree, tree)).StatusCode);
        var commit = await uploads.CommitAsync(session, uploads.Id(tree));
        Assert.Equal(HttpStatusCode.Created, commit.StatusCode);
        var committed = await commit.ReadAsync(ProtocolJson.Default.CommitResponse);

        // Next minute: no session is open; hortd acknowledges and the deletion finishes, keeping what the commit uses.
        await maintenance.TickAsync(Ct);
        var finish = await LatestAsync(admin, MaintenanceKind.Prune);
        Assert.Equal((MaintenanceRunner.ByAcknowledgement, MaintenanceResult.Succeeded), (finish.Cause, finish.Result));
        using (var repository = await ServedRepository.OpenAsync(options))
        {
            Assert.Empty(await repository.ReadDeletionRecordsAsync(Ct));
            Assert.Empty(forgottenPacks.Intersect(await ServedRepository.PacksAsync(repository)));
        }

        Assert.True((await ServedRepository.CheckAsync(options)).IsClean);
        Assert.Equal(fresh, await ServedRepository.RestoreFileAsync(options, committed.SnapshotId, "file"));

        // hortd found the rescued pack again: the data is not needed a second time.
        var next = await uploads.OpenSessionAsync();
        Assert.Empty(await uploads.NeededAsync(next, uploads.Id(fresh)));
    }

    internal static async Task<MaintenanceRunDto> LatestAsync(HttpClient admin, MaintenanceKind kind) =>
        (await admin.GetAsync(Routes.Maintenance, ProtocolJson.Default.MaintenanceStatusResponse)).Runs.First(r => r.Kind == kind);
}
