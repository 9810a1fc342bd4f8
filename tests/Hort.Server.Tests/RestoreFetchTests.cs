using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hort.Core;
using Hort.Protocol;
using Hort.Repository.Compression;

namespace Hort.Server.Tests;

public sealed class RestoreFetchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_pc_reads_back_its_own_trees_and_chunks_and_nothing_of_another_pc()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc1, client1) = await server.EnrollAsync(admin, "desk-1");
        var (_, client2) = await server.EnrollAsync(admin, "desk-2");
        var agent1 = new AgentUploads(client1, pc1);
        var chunk = Encoding.UTF8.GetBytes("a letter to restore");
        var report = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("quarterly figures, unchanged; ", 2000)));
        await agent1.BackupAsync(chunk, report);
        var snapshot = Assert.Single(await client1.GetAsync(Routes.AgentSnapshots, ProtocolJson.Default.IReadOnlyListSnapshotDto));

        var tree = await client1.GetByteArrayAsync(Routes.Format(Routes.AgentBlob, SessionValues.Tree, snapshot.Tree), Ct);
        Assert.Equal(AgentUploads.TreeOf(("file", [agent1.Id(chunk), agent1.Id(report)])), tree);

        // A chunk stored compressed goes out as its stored zstd frame; one stored as is (compressing the letter saved
        // nothing) goes out as plaintext, not compressed for the answer.
        var (reportBody, reportEncoding) = await FetchDataAsync(client1, agent1.Id(report));
        Assert.Equal("zstd", reportEncoding);
        Assert.True(reportBody.Length < report.Length / 10, $"{reportBody.Length} bytes for {report.Length}");
        var plain = new byte[report.Length];
        Assert.Equal(report.Length, Zstd.Decompress(reportBody, plain));
        Assert.Equal(report, plain);
        var (letterBody, letterEncoding) = await FetchDataAsync(client1, agent1.Id(chunk));
        Assert.Null(letterEncoding);
        Assert.Equal(chunk, letterBody);

        // Without Accept-Encoding every chunk comes as plaintext.
        Assert.Equal(report, await client1.GetByteArrayAsync(Routes.Format(Routes.AgentBlob, SessionValues.Data, agent1.Id(report)), Ct));

        // The wrong type, another PC, or an ID nobody stored: all the same 404.
        Assert.Equal(HttpStatusCode.NotFound, (await client1.GetAsync(Routes.Format(Routes.AgentBlob, SessionValues.Tree, agent1.Id(chunk)), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client2.GetAsync(Routes.Format(Routes.AgentBlob, SessionValues.Data, agent1.Id(chunk)), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client2.GetAsync(Routes.Format(Routes.AgentBlob, SessionValues.Tree, snapshot.Tree), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client1.GetAsync(Routes.Format(Routes.AgentBlob, SessionValues.Data, new string('0', 64)), Ct)).StatusCode);
        Assert.Empty(await client2.GetAsync(Routes.AgentSnapshots, ProtocolJson.Default.IReadOnlyListSnapshotDto));
    }

    [Fact]
    public async Task A_pc_reads_many_of_its_chunks_in_one_answer_and_nothing_of_another_pc()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc1, client1) = await server.EnrollAsync(admin, "desk-1");
        var (pc2, client2) = await server.EnrollAsync(admin, "desk-2");
        var agent1 = new AgentUploads(client1, pc1);
        var agent2 = new AgentUploads(client2, pc2);
        var letter = Encoding.UTF8.GetBytes("a letter to restore");
        var report = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("quarterly figures, unchanged; ", 2000)));
        var others = Encoding.UTF8.GetBytes("desk-2's own notes");
        await agent1.BackupAsync(letter, report);
        await agent2.BackupAsync(others);
        var tree = Assert.Single(await client1.GetAsync(Routes.AgentSnapshots, ProtocolJson.Default.IReadOnlyListSnapshotDto)).Tree;
        var nobodys = new string('0', 64);
        string[] ids = [agent1.Id(report), agent1.Id(letter), agent1.Id(report), agent2.Id(others), tree, nobodys];

        // Sizes in request order; another PC's chunk, a tree and an ID nobody stored alike have none.
        var sizes = await (await client1.PostAsync(Routes.AgentBlobSizes, new BlobBatchRequest(ids), ProtocolJson.Default.BlobBatchRequest))
            .ReadAsync(ProtocolJson.Default.BlobSizesResponse);
        Assert.Equal([report.Length, letter.Length, report.Length, null, null, null], sizes.Sizes);

        // Each distinct ID once: the compressed report as its stored zstd frame, the letter as plaintext, the rest refused.
        var frames = await ReadFramesAsync(client1, ids);
        Assert.Equal(ids.Distinct().Order(), frames.Keys.Select(id => id.ToString()).Order());
        var (form, plaintextLength, body) = frames[ObjectId.Parse(agent1.Id(report))];
        Assert.Equal((BlobFrameForm.Zstd, report.Length), (form, plaintextLength));
        var plain = new byte[report.Length];
        Assert.Equal(report.Length, Zstd.Decompress(body, plain));
        Assert.Equal(report, plain);
        Assert.Equal((BlobFrameForm.Plain, letter.Length), (frames[ObjectId.Parse(agent1.Id(letter))].Form, frames[ObjectId.Parse(agent1.Id(letter))].PlaintextLength));
        Assert.Equal(letter, frames[ObjectId.Parse(agent1.Id(letter))].Body);
        foreach (var refused in new[] { agent2.Id(others), tree, nobodys })
        {
            Assert.Equal((BlobFrameForm.Unreadable, $"there is no data blob {refused}"), (frames[ObjectId.Parse(refused)].Form, Encoding.UTF8.GetString(frames[ObjectId.Parse(refused)].Body)));
        }

        // desk-2 gets its own chunk and nothing of desk-1's.
        var theirs = await ReadFramesAsync(client2, ids);
        Assert.Equal([agent2.Id(others)], theirs.Where(f => f.Value.Form != BlobFrameForm.Unreadable).Select(f => f.Key.ToString()));

        // Trees the same way, asked for as trees: the snapshot's tree comes; a chunk asked for as a tree does not.
        var trees = await ReadFramesAsync(client1, [tree, agent1.Id(letter)], SessionValues.Tree);
        var (treeForm, treeLength, treeBody) = trees[ObjectId.Parse(tree)];
        var treePlain = treeForm == BlobFrameForm.Zstd ? Decompressed(treeBody, treeLength) : treeBody;
        Assert.Equal(AgentUploads.TreeOf(("file", [agent1.Id(letter), agent1.Id(report)])), treePlain);
        Assert.Equal(BlobFrameForm.Unreadable, trees[ObjectId.Parse(agent1.Id(letter))].Form);
        Assert.Equal([null, treePlain.Length], (await (await client1.PostAsync(Routes.AgentBlobSizes, new BlobBatchRequest([agent1.Id(letter), tree], SessionValues.Tree),
            ProtocolJson.Default.BlobBatchRequest)).ReadAsync(ProtocolJson.Default.BlobSizesResponse)).Sizes);

        // Too many IDs, one that is not an ID, or an unknown type: 400, nothing read.
        foreach (var route in new[] { Routes.AgentBlobSizes, Routes.AgentBlobRead })
        {
            var tooMany = Enumerable.Repeat(nobodys, BlobBatchRequest.MaxIds + 1).ToList();
            Assert.Equal(HttpStatusCode.BadRequest, (await client1.PostAsync(route, new BlobBatchRequest(tooMany), ProtocolJson.Default.BlobBatchRequest)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await client1.PostAsync(route, new BlobBatchRequest(["not-an-id"]), ProtocolJson.Default.BlobBatchRequest)).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await client1.PostAsync(route, new BlobBatchRequest([tree], "snapshot"), ProtocolJson.Default.BlobBatchRequest)).StatusCode);
        }
    }

    private static byte[] Decompressed(byte[] zstd, int length)
    {
        var plain = new byte[length];
        Assert.Equal(length, Zstd.Decompress(zstd, plain));
        return plain;
    }

    /// <summary>The frames of one batched read, by blob ID; a blob sent twice fails the test.</summary>
    private static async Task<Dictionary<ObjectId, (BlobFrameForm Form, int PlaintextLength, byte[] Body)>> ReadFramesAsync(
        HttpClient client, IReadOnlyList<string> ids, string? type = null)
    {
        using var response = await client.PostAsync(Routes.AgentBlobRead, new BlobBatchRequest(ids, type), ProtocolJson.Default.BlobBatchRequest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(BlobFrameHeader.MediaType, response.Content.Headers.ContentType?.MediaType);
        var answer = await response.Content.ReadAsByteArrayAsync(Ct);
        var frames = new Dictionary<ObjectId, (BlobFrameForm, int, byte[])>();
        for (var at = 0; at < answer.Length;)
        {
            Assert.True(BlobFrameHeader.TryRead(answer.AsSpan(at, BlobFrameHeader.Size), 1 << 20, out var header));
            at += BlobFrameHeader.Size;
            frames.Add(header.Id, (header.Form, header.PlaintextLength, answer.AsSpan(at, header.Length).ToArray()));
            at += header.Length;
        }

        return frames;
    }

    private static async Task<(byte[] Body, string? Encoding)> FetchDataAsync(HttpClient client, string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Routes.Format(Routes.AgentBlob, SessionValues.Data, id));
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("zstd"));
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsByteArrayAsync(Ct), response.Content.Headers.ContentEncoding.SingleOrDefault());
    }

    [Fact]
    public async Task An_agent_starts_its_own_backup_job_and_reports_its_snapshot()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var created = await client.PostAsync(Routes.AgentJobs, new AgentJobCreateRequest(JobValues.Backup), ProtocolJson.Default.AgentJobCreateRequest);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var job = await created.ReadAsync(ProtocolJson.Default.JobDto);
        Assert.Equal(JobValues.Running, job.State);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync(Routes.AgentJobs, new AgentJobCreateRequest(JobValues.Restore), ProtocolJson.Default.AgentJobCreateRequest)).StatusCode);

        var committed = await new AgentUploads(client, pc).BackupAsync(Encoding.UTF8.GetBytes("nightly"));
        var result = await client.PostAsync(Routes.Format(Routes.AgentJobResult, job.Id), new JobResult(true, committed.SnapshotId, 0, null), ProtocolJson.Default.JobResult);
        Assert.Equal(HttpStatusCode.NoContent, result.StatusCode);
        var done = await admin.GetAsync(Routes.Format(Routes.Job, job.Id), ProtocolJson.Default.JobDto);
        Assert.Equal((JobValues.Succeeded, committed.SnapshotId), (done.State, done.SnapshotId));
        Assert.NotNull(done.Finished);
    }
}
