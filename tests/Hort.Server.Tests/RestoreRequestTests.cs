using System.Net;
using System.Text;
using Hort.Protocol;

namespace Hort.Server.Tests;

public sealed class RestoreRequestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_restore_is_queued_only_for_paths_in_the_pcs_own_snapshot_and_anything_else_queues_nothing()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc1, client1) = await server.EnrollAsync(admin, "desk-1");
        var (pc2, client2) = await server.EnrollAsync(admin, "desk-2");
        var agent1 = new AgentUploads(client1, pc1);
        var agent2 = new AgentUploads(client2, pc2);

        // desk-1's snapshot: /docs/letter.txt
        var session = await agent1.OpenSessionAsync();
        var chunk = Encoding.UTF8.GetBytes("a letter");
        Assert.Equal(HttpStatusCode.NoContent, (await agent1.UploadAsync(session, SessionValues.Data, chunk)).StatusCode);
        var docs = AgentUploads.TreeOf(("letter.txt", [agent1.Id(chunk)]));
        Assert.Equal(HttpStatusCode.NoContent, (await agent1.UploadAsync(session, SessionValues.Tree, docs)).StatusCode);
        var root = AgentUploads.DirectoryOf("docs", agent1.Id(docs));
        Assert.Equal(HttpStatusCode.NoContent, (await agent1.UploadAsync(session, SessionValues.Tree, root)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await agent1.CommitAsync(session, agent1.Id(root))).StatusCode);
        var snapshot1 = Assert.Single(await admin.GetAsync(Routes.Format(Routes.PcSnapshots, pc1.PcId), ProtocolJson.Default.IReadOnlyListSnapshotDto)).Id;
        var snapshot2 = (await agent2.BackupAsync(Encoding.UTF8.GetBytes("desk-2's file"))).SnapshotId;

        async Task<HttpResponseMessage> RestoreAsync(string pcId, string snapshotId, string[]? paths, string? target = null) =>
            await admin.PostAsync(Routes.Format(Routes.PcRestores, pcId), new RestoreRequest(snapshotId, paths, target), ProtocolJson.Default.RestoreRequest);

        var refused = new (HttpStatusCode Status, Func<Task<HttpResponseMessage>> Request)[]
        {
            (HttpStatusCode.NotFound, () => RestoreAsync(pc1.PcId, snapshot1, ["/docs/missing.txt"])),
            (HttpStatusCode.NotFound, () => RestoreAsync(pc1.PcId, snapshot1, ["/docs", "/home"])),
            (HttpStatusCode.NotFound, () => RestoreAsync(pc1.PcId, snapshot1, ["/docs/letter.txt/below"])),
            (HttpStatusCode.BadRequest, () => RestoreAsync(pc1.PcId, snapshot1, ["docs/letter.txt"])),
            (HttpStatusCode.BadRequest, () => RestoreAsync(pc1.PcId, snapshot1, ["/docs/../docs/letter.txt"])),
            (HttpStatusCode.BadRequest, () => RestoreAsync(pc1.PcId, snapshot1, ["/../etc/passwd"])),
            (HttpStatusCode.BadRequest, () => RestoreAsync(pc1.PcId, snapshot1, ["/docs/./letter.txt"])),
            (HttpStatusCode.BadRequest, () => RestoreAsync(pc1.PcId, snapshot1, ["/docs\0/letter.txt"])),
            (HttpStatusCode.BadRequest, () => RestoreAsync(pc1.PcId, snapshot1, [""])),
            (HttpStatusCode.BadRequest, () => RestoreAsync(pc1.PcId, snapshot1, ["/docs"], "restored")),
            (HttpStatusCode.BadRequest, () => RestoreAsync(pc1.PcId, snapshot1, ["/docs"], "/srv/restore/../../etc")),
            // Another PC's snapshot, asked for this PC, or this PC's asked for another: as if it did not exist.
            (HttpStatusCode.NotFound, () => RestoreAsync(pc1.PcId, snapshot2, null)),
            (HttpStatusCode.NotFound, () => RestoreAsync(pc2.PcId, snapshot1, ["/docs"])),
            (HttpStatusCode.NotFound, () => RestoreAsync(pc1.PcId, new string('0', 64), null)),
        };
        foreach (var (status, request) in refused)
        {
            var response = await request();
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.DoesNotContain(await admin.GetAsync(Routes.Jobs, ProtocolJson.Default.IReadOnlyListJobDto), j => j.Kind == JobValues.Restore);
        Assert.Equal(HttpStatusCode.NoContent, (await client1.GetAsync(Routes.AgentCommands + "?wait=0", Ct)).StatusCode);

        // A good request is queued with its paths in normal form.
        Assert.Equal(HttpStatusCode.Accepted, (await RestoreAsync(pc1.PcId, snapshot1, ["//docs/letter.txt/", "/docs"], "/srv/restore/")).StatusCode);
        var command = Assert.Single(await client1.GetAsync(Routes.AgentCommands + "?wait=0", ProtocolJson.Default.IReadOnlyListAgentCommand));
        Assert.Equal(JobValues.Restore, command.Kind);
        Assert.Equal(["/docs/letter.txt", "/docs"], command.Restore!.Paths);
        Assert.Equal("/srv/restore", command.Restore.Target);
        Assert.Equal(HttpStatusCode.NoContent, (await client2.GetAsync(Routes.AgentCommands + "?wait=0", Ct)).StatusCode);
    }
}
