using System.Net;
using System.Text;
using Hort.Core;
using Hort.Protocol;
using Hort.Repository;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests;

public sealed class BackupSessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task Agent_uploads_only_what_is_needed_and_the_snapshot_carries_the_servers_receive_time()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var agent = new AgentUploads(client, pc);
        var a = Bytes("first chunk of a file");
        var b = Bytes("second chunk of a file");

        var session = await agent.OpenSessionAsync();
        Assert.Equal([agent.Id(a), agent.Id(b)], await agent.NeededAsync(session, agent.Id(a), agent.Id(b)));
        Assert.Equal(HttpStatusCode.NoContent, (await agent.UploadAsync(session, SessionValues.Data, a)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await agent.UploadAsync(session, SessionValues.Data, b, zstd: false)).StatusCode);
        Assert.Empty(await agent.NeededAsync(session, agent.Id(a), agent.Id(b)));

        // A session that is asked for again is the same one (resume).
        Assert.Equal(session, await agent.OpenSessionAsync());

        var tree = AgentUploads.TreeOf(("file.txt", [agent.Id(a), agent.Id(b)]));
        Assert.Equal(HttpStatusCode.NoContent, (await agent.UploadAsync(session, SessionValues.Tree, tree)).StatusCode);
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var commit = await agent.CommitAsync(session, agent.Id(tree));
        Assert.Equal(HttpStatusCode.Created, commit.StatusCode);
        var committed = await commit.ReadAsync(ProtocolJson.Default.CommitResponse);
        Assert.InRange(committed.Time, before, DateTimeOffset.UtcNow.AddSeconds(5));

        var snapshots = await admin.GetAsync(Routes.Format(Routes.PcSnapshots, pc.PcId), ProtocolJson.Default.IReadOnlyListSnapshotDto);
        var snapshot = Assert.Single(snapshots);
        Assert.Equal((committed.SnapshotId, 1L), (snapshot.Id, snapshot.Files));
        Assert.NotEqual(DateTimeOffset.UnixEpoch, snapshot.Time);

        // The data is in the repository, encrypted at rest, readable with the server's key.
        var repository = server.Host.Services.GetRequiredService<HortRepository>();
        var stored = await repository.LoadSnapshotAsync(ObjectId.Parse(committed.SnapshotId), Ct);
        Assert.Contains("hort-pc=" + pc.PcId, stored.Tags);
        Assert.Equal(a, await repository.LoadBlobAsync(Hort.Repository.Format.BlobType.Data, ObjectId.Parse(agent.Id(a)), Ct));

        // A committed session takes no more uploads; the next backup opens a new one.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await agent.UploadAsync(session, SessionValues.Data, Bytes("late"))).StatusCode);
        Assert.NotEqual(session, await agent.OpenSessionAsync());
    }

    [Fact]
    public async Task Uploads_whose_content_does_not_match_their_id_or_that_are_malformed_are_rejected()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var agent = new AgentUploads(client, pc);
        var session = await agent.OpenSessionAsync();
        var data = Bytes("real content");

        var mismatch = await agent.UploadAsync(session, SessionValues.Data, data, id: agent.Id(Bytes("other content")));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, mismatch.StatusCode);
        Assert.Equal("application/problem+json", mismatch.Content.Headers.ContentType?.MediaType);
        Assert.Equal([agent.Id(Bytes("other content"))], await agent.NeededAsync(session, agent.Id(Bytes("other content"))));

        var notTree = await agent.UploadAsync(session, SessionValues.Tree, data);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notTree.StatusCode);

        var badZstd = new ByteArrayContent(Bytes("not zstd at all"));
        badZstd.Headers.ContentEncoding.Add("zstd");
        var garbage = await client.PutAsync(Routes.Format(Routes.SessionBlob, session, SessionValues.Data, agent.Id(data)), badZstd, Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, garbage.StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await agent.UploadAsync(session, SessionValues.Data, data, id: "xyz")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent.UploadAsync(session, "pack", data)).StatusCode);

        // A tree naming a chunk this PC never uploaded is refused, and so is a commit of a tree not stored.
        var tree = AgentUploads.TreeOf(("f", [agent.Id(Bytes("never uploaded"))]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await agent.UploadAsync(session, SessionValues.Tree, tree)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await agent.CommitAsync(session, agent.Id(tree))).StatusCode);
        Assert.Empty(await admin.GetAsync(Routes.Format(Routes.PcSnapshots, pc.PcId), ProtocolJson.Default.IReadOnlyListSnapshotDto));
    }

    [Fact]
    public async Task A_pc_learns_nothing_about_and_cannot_reference_another_pcs_chunks_but_can_upload_the_same_content_itself()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc1, client1) = await server.EnrollAsync(admin, "desk-1");
        var (pc2, client2) = await server.EnrollAsync(admin, "desk-2");
        var agent1 = new AgentUploads(client1, pc1);
        var agent2 = new AgentUploads(client2, pc2);
        var secret = Bytes("the payroll spreadsheet");
        var first = await agent1.BackupAsync(secret);

        var session2 = await agent2.OpenSessionAsync();
        // Stored on the server, but not by this PC: still "needed".
        Assert.Equal([agent2.Id(secret)], await agent2.NeededAsync(session2, agent2.Id(secret)));

        // Referencing it without uploading it is refused, in a tree and in a commit of PC 1's own root tree.
        var tree = AgentUploads.TreeOf(("copy", [agent2.Id(secret)]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await agent2.UploadAsync(session2, SessionValues.Tree, tree)).StatusCode);
        var snapshot1 = await admin.GetAsync(Routes.Format(Routes.PcSnapshots, pc1.PcId), ProtocolJson.Default.IReadOnlyListSnapshotDto);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await agent2.CommitAsync(session2, snapshot1[0].Tree)).StatusCode);

        // Uploading the same content answers exactly as for new content, and then it may be used.
        Assert.Equal(HttpStatusCode.NoContent, (await agent2.UploadAsync(session2, SessionValues.Data, secret)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await agent2.UploadAsync(session2, SessionValues.Tree, tree)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await agent2.CommitAsync(session2, agent2.Id(tree))).StatusCode);

        // Each PC sees only its own snapshots; the other's session is not there for it.
        var own2 = await client2.GetAsync(Routes.AgentSnapshots, ProtocolJson.Default.IReadOnlyListSnapshotDto);
        Assert.DoesNotContain(own2, s => s.Id == first.SnapshotId);
        Assert.Single(own2);
        var session1 = await agent1.OpenSessionAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await client2.GetAsync(Routes.Format(Routes.Session, session1), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await agent2.UploadAsync(session1, SessionValues.Data, Bytes("x"))).StatusCode);
    }

    [Fact]
    public async Task Uploads_survive_a_server_restart_and_a_resumed_session_needs_only_what_was_not_durable()
    {
        var options = TestServer.NewOptions();
        EnrollResponse pc;
        string session;
        var a = Bytes("uploaded before the checkpoint");
        var b = Bytes("uploaded after the checkpoint, then the server stopped");
        await using (var server = await TestServer.StartAsync(options))
        {
            server.KeepData = true;
            var admin = await server.AdminAsync();
            HttpClient client;
            (pc, client) = await server.EnrollAsync(admin, "desk-1");
            var agent = new AgentUploads(client, pc);
            session = await agent.OpenSessionAsync();
            await agent.UploadAsync(session, SessionValues.Data, a);
            Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync(Routes.Format(Routes.SessionCheckpoint, session), null, Ct)).StatusCode);
            await agent.UploadAsync(session, SessionValues.Data, b);
        }

        await using (var server = await TestServer.StartAsync(options))
        {
            var agent = new AgentUploads(server.Client(pc.Credential), pc);
            Assert.Equal(session, await agent.OpenSessionAsync());
            // A stopping server flushes what was queued, so both are durable now.
            Assert.Empty(await agent.NeededAsync(session, agent.Id(a), agent.Id(b)));
            var tree = AgentUploads.TreeOf(("f", [agent.Id(a), agent.Id(b)]));
            Assert.Equal(HttpStatusCode.NoContent, (await agent.UploadAsync(session, SessionValues.Tree, tree)).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await agent.CommitAsync(session, agent.Id(tree))).StatusCode);
        }
    }
}
