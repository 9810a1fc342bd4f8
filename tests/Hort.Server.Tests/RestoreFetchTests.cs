using System.Net;
using System.Net.Http.Headers;
using System.Text;
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
