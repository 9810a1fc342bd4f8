using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hort.Core;
using Hort.Protocol;
using Hort.Repository.Trees;

namespace Hort.Agent.Tests.EndToEnd;

/// <summary>
/// The real hortd and three agents as separate processes on loopback: they back up at once, each snapshot restores
/// byte-identical through a restore the administrator pushes, and a stolen agent credential is refused everywhere
/// it does not belong without changing a byte of the repository.
/// </summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ThreeAgentsTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hort-agents-").FullName;
    private readonly List<AgentProcess> _agents = [];
    private Hortd _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await Hortd.StartAsync(Path.Combine(_root, "server"));

    public async ValueTask DisposeAsync()
    {
        foreach (var agent in _agents) await agent.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_root, true);
    }

    private string Diagnostics() =>
        "server:\n" + _server.Output + string.Concat(_agents.Select((a, i) => $"\nagent {i}:\n{a.Output}"));

    [Fact]
    public async Task Three_agents_back_up_at_once_restore_on_request_and_a_stolen_credential_reaches_nothing_else()
    {
        var sources = new List<string>();
        for (var pc = 0; pc < 3; pc++)
        {
            sources.Add(SourceTree.Create(Path.Combine(_root, $"pc{pc}", "data"), pc));
            var agent = new AgentProcess(Path.Combine(_root, $"pc{pc}", "state"));
            _agents.Add(agent);
            await agent.EnrollAsync(_server, await _server.EnrollmentCodeAsync($"pc{pc}"));
            await _server.SetPolicyAsync(agent.PcId, Hortd.Always(sources[pc]));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(agent.State, AgentState.IdentityFile)));
        }

        // A server presenting another certificate than the pinned one gets nothing, and nothing is stored.
        var impostor = new AgentProcess(Path.Combine(_root, "impostor"));
        var refused = await impostor.TryEnrollAsync(_server, await _server.EnrollmentCodeAsync("impostor"), new string('0', 64));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("pinned certificate", refused.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(impostor.State, AgentState.IdentityFile)));

        foreach (var agent in _agents) agent.Start();
        var snapshots = new List<SnapshotDto>();
        foreach (var agent in _agents) snapshots.Add((await _server.WaitForSnapshotsAsync(agent.PcId, 1, Diagnostics))[0]);

        // The server stamps its own receive time and the PC's tag; each snapshot holds exactly its PC's folder.
        for (var pc = 0; pc < 3; pc++)
        {
            Assert.Equal([sources[pc]], snapshots[pc].Paths);
            Assert.Equal(_agents[pc].PcId, snapshots[pc].PcId);
        }

        // A restore pushed by the administrator, into another folder of each PC.
        for (var pc = 0; pc < 3; pc++)
        {
            var target = Path.Combine(_root, $"pc{pc}", "restored");
            var job = await _server.SendAsync(HttpMethod.Post, Routes.Format(Routes.PcRestores, _agents[pc].PcId),
                new RestoreRequest(snapshots[pc].Id, null, target), ProtocolJson.Default.RestoreRequest, ProtocolJson.Default.JobDto);
            var done = await _server.WaitForJobAsync(job.Id, Diagnostics);
            Assert.True(done.State == JobValues.Succeeded, $"restore job: {done.State} {done.Message}\n{Diagnostics()}");
            SourceTree.AssertSame(sources[pc], target + sources[pc]);
        }

        var log = await _server.GetAsync(Routes.Format(Routes.JobLog, (await _server.GetAsync(Routes.Jobs + "?pcId=" + _agents[0].PcId, ProtocolJson.Default.IReadOnlyListJobDto))
            .First(j => j.Kind == JobValues.Backup).Id), ProtocolJson.Default.IReadOnlyListJobLogEntry);
        Assert.Contains(log, e => e.Message.Contains("committed", StringComparison.Ordinal));

        // The agent's own view, from its state folder (the restores above ran after its backup finished).
        var status = await _agents[0].StatusAsync();
        Assert.Contains(_agents[0].PcId, status, StringComparison.Ordinal);
        Assert.DoesNotContain("last backup:   never", status, StringComparison.Ordinal);

        await StolenCredentialIsRefusedAsync(snapshots);
    }

    /// <summary>PC 0's credential against every admin route and PC 1's data: all refused, the repository unchanged.</summary>
    private async Task StolenCredentialIsRefusedAsync(IReadOnlyList<SnapshotDto> snapshots)
    {
        var before = SourceTree.Hashes(_server.RepositoryPath);
        using var thief = PinnedHttp.Create(_server.Address, _server.Fingerprint, _agents[0].Identity.Credential);
        var victim = _agents[1].PcId;
        var (victimTree, victimOnlyChunk) = await VictimObjectsAsync(snapshots[1]);

        // Every admin route of the OpenAPI document: 403 whatever the method.
        using var openApi = JsonDocument.Parse(await _server.Admin.GetStringAsync(Routes.OpenApiDocument, Ct));
        var tried = 0;
        foreach (var path in openApi.RootElement.GetProperty("paths").EnumerateObject())
        {
            if (path.Name.StartsWith(Routes.AgentPrefix, StringComparison.Ordinal) || path.Name is Routes.Status or Routes.Setup or Routes.Login) continue;
            var route = path.Name.Replace("{pcId}", victim, StringComparison.Ordinal).Replace("{jobId}", victim, StringComparison.Ordinal)
                .Replace("{groupId}", victim, StringComparison.Ordinal).Replace("{codeId}", victim, StringComparison.Ordinal);
            foreach (var method in path.Value.EnumerateObject())
            {
                using var request = new HttpRequestMessage(new HttpMethod(method.Name.ToUpperInvariant()), route)
                {
                    Content = new StringContent("{}", Encoding.UTF8, "application/json"),
                };
                using var response = await thief.SendAsync(request, Ct);
                Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method.Name} {route} answered {(int)response.StatusCode}");
                tried++;
            }
        }

        Assert.True(tried >= 20, $"only {tried} admin routes were tried");

        // Another PC's snapshots, trees, chunks and jobs do not exist for this credential.
        var own = await thief.GetFromJsonAsync(Routes.AgentSnapshots, ProtocolJson.Default.IReadOnlyListSnapshotDto, Ct);
        Assert.All(own!, s => Assert.Equal(_agents[0].PcId, s.PcId));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(thief, HttpMethod.Get, Routes.Format(Routes.AgentBlob, SessionValues.Tree, victimTree.ToString())));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync(thief, HttpMethod.Get, Routes.Format(Routes.AgentBlob, SessionValues.Data, victimOnlyChunk.ToString())));
        var victimJob = (await _server.GetAsync(Routes.Jobs + "?pcId=" + victim, ProtocolJson.Default.IReadOnlyListJobDto))[0];
        using (var progress = await thief.PostAsJsonAsync(Routes.Format(Routes.AgentJobProgress, victimJob.Id), new JobProgress(JobValues.Running, 0, 0, null, "x"), ProtocolJson.Default.JobProgress, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, progress.StatusCode);
        }

        using (var result = await thief.PostAsJsonAsync(Routes.Format(Routes.AgentJobResult, victimJob.Id), new JobResult(false, null, 0, "x"), ProtocolJson.Default.JobResult, Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, result.StatusCode);
        }

        // The known query does not reveal that PC 1 stored a chunk, and a commit cannot adopt PC 1's tree.
        using var client = new ServerClient(thief);
        var session = await client.OpenSessionAsync(new SessionCreateRequest(null, ["/"], null, DateTimeOffset.UnixEpoch), Ct);
        Assert.Equal([victimOnlyChunk.ToString()], await client.NeededAsync(session.SessionId, [victimOnlyChunk.ToString()], Ct));
        var commit = await Assert.ThrowsAsync<ServerRefusedException>(() =>
            client.CommitAsync(session.SessionId, new CommitRequest(victimTree.ToString(), ["/"], null, DateTimeOffset.UnixEpoch, null), Ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, commit.Status);
        Assert.Equal(HttpStatusCode.NoContent, await StatusAsync(thief, HttpMethod.Delete, Routes.Format(Routes.Session, session.SessionId)));

        Assert.Equal(before, SourceTree.Hashes(_server.RepositoryPath));
        Assert.Single(await _server.SnapshotsAsync(_agents[0].PcId));
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, HttpMethod method, string route)
    {
        using var request = new HttpRequestMessage(method, route);
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("zstd"));
        using var response = await client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    /// <summary>PC 1's root tree and a chunk of the file only PC 1 has, read from the repository by the test.</summary>
    private async Task<(ObjectId Tree, ObjectId Chunk)> VictimObjectsAsync(SnapshotDto snapshot)
    {
        using var repository = await _server.OpenRepositoryAsync();
        var root = ObjectId.Parse(snapshot.Tree);
        var pending = new Stack<ObjectId>([root]);
        while (pending.Count > 0)
        {
            foreach (var node in (await repository.LoadTreeAsync(pending.Pop(), Ct)).Nodes)
            {
                if (node.Type == NodeType.Directory) pending.Push(node.Subtree);
                if (node.Type == NodeType.File && node.DisplayName == "own-1.bin") return (root, node.Content[0]);
            }
        }

        throw new Xunit.Sdk.XunitException("own-1.bin is not in PC 1's snapshot");
    }
}
