using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hort.Protocol;

namespace Hort.Server.Tests;

/// <summary>Batched uploads (protocol.md §7): many blobs in one body, each checked as a single upload is.</summary>
public sealed class UploadBatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static (byte[], string?, bool, int?) Blob(byte[] plaintext, bool zstd = true, string? id = null, int? length = null) => (plaintext, id, zstd, length);

    [Fact]
    public async Task Data_then_a_tree_and_its_parent_in_one_body_commit_as_a_snapshot()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var agent = new AgentUploads(client, pc);
        var letter = Encoding.UTF8.GetBytes("a short letter");
        var report = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("figures for the quarter; ", 3000)));
        var session = await agent.OpenSessionAsync();

        var data = await agent.UploadBatchAsync(session, SessionValues.Data, Blob(letter, zstd: false), Blob(report));
        Assert.Equal(HttpStatusCode.OK, data.StatusCode);
        Assert.Equal(2, (await data.ReadAsync(ProtocolJson.Default.UploadBatchResponse)).Stored);

        // The folder's tree and its parent in one body: the parent names a tree that comes earlier in it.
        var folder = AgentUploads.TreeOf(("letter.txt", [agent.Id(letter)]), ("report.txt", [agent.Id(report)]));
        var root = AgentUploads.DirectoryOf("docs", agent.Id(folder));
        var trees = await agent.UploadBatchAsync(session, SessionValues.Tree, Blob(folder), Blob(root));
        Assert.Equal(HttpStatusCode.OK, trees.StatusCode);
        Assert.Equal(2, (await trees.ReadAsync(ProtocolJson.Default.UploadBatchResponse)).Stored);

        Assert.Empty(await agent.NeededAsync(session, agent.Id(letter), agent.Id(report), agent.Id(folder), agent.Id(root)));
        Assert.Equal(HttpStatusCode.Created, (await agent.CommitAsync(session, agent.Id(root))).StatusCode);

        // What was stored reads back through the restore route.
        Assert.Equal(report, await client.GetByteArrayAsync(Routes.Format(Routes.AgentBlob, SessionValues.Data, agent.Id(report)), Ct));
    }

    [Fact]
    public async Task A_refused_blob_stops_the_body_and_keeps_what_came_before_it()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var (pc2, client2) = await server.EnrollAsync(admin, "desk-2");
        var agent = new AgentUploads(client, pc);
        var session = await agent.OpenSessionAsync();
        var first = Encoding.UTF8.GetBytes("stored before the bad one");
        var forged = Encoding.UTF8.GetBytes("claims to be another chunk");
        var after = Encoding.UTF8.GetBytes("never read");

        // A wrong ID: 422 naming it; the blob before it is stored and known, the one after it was not read.
        var response = await agent.UploadBatchAsync(session, SessionValues.Data, Blob(first), Blob(forged, id: agent.Id(after)), Blob(after));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(agent.Id(after), await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal([agent.Id(after)], await agent.NeededAsync(session, agent.Id(first), agent.Id(after)));

        // A plaintext length that is not the content's, plain or zstd: refused, nothing stored.
        foreach (var zstd in new[] { false, true })
        {
            response = await agent.UploadBatchAsync(session, SessionValues.Data, Blob(after, zstd, length: after.Length + 1));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.Equal([agent.Id(after)], await agent.NeededAsync(session, agent.Id(after)));
        }

        // A tree naming a blob this PC never uploaded: refused.
        var stray = AgentUploads.TreeOf(("x", [agent.Id(after)]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await agent.UploadBatchAsync(session, SessionValues.Tree, Blob(stray))).StatusCode);

        // A body cut inside a frame: refused, and what came before the cut is stored.
        var whole = agent.Frames(Blob(after), Blob(Encoding.UTF8.GetBytes("cut short")));
        var cut = new ByteArrayContent(whole[..^3]);
        cut.Headers.ContentType = new MediaTypeHeaderValue(BlobFrameHeader.MediaType);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.PostAsync(Routes.Format(Routes.SessionBlobs, session, SessionValues.Data), cut, Ct)).StatusCode);
        Assert.Empty(await agent.NeededAsync(session, agent.Id(after)));

        // Another media type: 415. Another PC's session: 404, as if it did not exist.
        var octets = new ByteArrayContent(whole);
        octets.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsync(Routes.Format(Routes.SessionBlobs, session, SessionValues.Data), octets, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await new AgentUploads(client2, pc2).UploadBatchAsync(session, SessionValues.Data, Blob(first))).StatusCode);
    }
}
