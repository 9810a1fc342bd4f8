using System.Net;
using System.Text;
using Hort.Protocol;
using Hort.Server.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests;

/// <summary>Commits enter only trees not yet verified for the PC, and isolation holds as when every tree was walked.</summary>
public sealed class VerifiedTreeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Uploads each (type, bytes) and commits <paramref name="root"/>; returns the commit answer.</summary>
    private static async Task<HttpResponseMessage> CommitAsync(AgentUploads agent, byte[] root, params (string Type, byte[] Bytes)[] uploads)
    {
        var session = await agent.OpenSessionAsync();
        foreach (var (type, bytes) in uploads)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await agent.UploadAsync(session, type, bytes)).StatusCode);
        }

        return await agent.CommitAsync(session, agent.Id(root));
    }

    [Fact]
    public async Task A_commit_reuses_the_pcs_verified_subtrees_and_another_pcs_verified_tree_is_still_refused()
    {
        var options = TestServer.NewOptions();
        await using (var server = await TestServer.StartAsync(options))
        {
            server.KeepData = true;
            var catalog = server.Host.Services.GetRequiredService<ServerCatalog>();
            var admin = await server.AdminAsync();
            var (pc1, client1) = await server.EnrollAsync(admin, "desk-1");
            var (pc2, client2) = await server.EnrollAsync(admin, "desk-2");
            var agent1 = new AgentUploads(client1, pc1);
            var agent2 = new AgentUploads(client2, pc2);

            // Snapshot 1 of desk-1: /docs/{a,b}.
            var a = Bytes("letter a");
            var b = Bytes("letter b");
            var docs = AgentUploads.TreeOf(("a", [agent1.Id(a)]), ("b", [agent1.Id(b)]));
            var root1 = AgentUploads.DirectoryOf("docs", agent1.Id(docs));
            Assert.Equal(HttpStatusCode.Created, (await CommitAsync(agent1, root1,
                (SessionValues.Data, a), (SessionValues.Data, b), (SessionValues.Tree, docs), (SessionValues.Tree, root1))).StatusCode);
            var verified = await catalog.VerifiedTreesAsync(pc1.PcId, [agent1.Id(docs), agent1.Id(root1)], Ct);
            Assert.Equal(2, verified[agent1.Id(docs)]);
            Assert.Equal(2, verified[agent1.Id(root1)]);

            // Snapshot 2 keeps /docs unchanged and adds /more/c: only the new trees are read; /docs counts from the set.
            var c = Bytes("letter c");
            var more = AgentUploads.TreeOf(("c", [agent1.Id(c)]));
            var root2 = new Hort.Repository.Trees.Tree([
                .. Hort.Repository.Trees.Tree.Decode(root1, "root1").Nodes,
                .. Hort.Repository.Trees.Tree.Decode(AgentUploads.DirectoryOf("more", agent1.Id(more)), "more").Nodes,
            ]).Encode();
            var second = await CommitAsync(agent1, root2, (SessionValues.Data, c), (SessionValues.Tree, more), (SessionValues.Tree, root2));
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
            var secondId = (await second.ReadAsync(ProtocolJson.Default.CommitResponse)).SnapshotId;
            var snapshot2 = (await admin.GetAsync(Routes.Format(Routes.PcSnapshots, pc1.PcId), ProtocolJson.Default.IReadOnlyListSnapshotDto)).Single(s => s.Id == secondId);
            Assert.Equal(3, snapshot2.Files);
            Assert.Equal(3, (await catalog.VerifiedTreesAsync(pc1.PcId, [agent1.Id(root2)], Ct))[agent1.Id(root2)]);

            // desk-2 may not commit desk-1's verified trees as its root, nor name them in a tree of its own.
            Assert.Empty(await catalog.VerifiedTreesAsync(pc2.PcId, [agent1.Id(docs), agent1.Id(root1), agent1.Id(root2)], Ct));
            var session2 = await agent2.OpenSessionAsync();
            foreach (var foreign in new[] { agent1.Id(root1), agent1.Id(docs), agent1.Id(root2) })
            {
                var refused = await agent2.CommitAsync(session2, foreign);
                Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            }

            Assert.Equal(HttpStatusCode.UnprocessableEntity, (await agent2.UploadAsync(session2, SessionValues.Tree, AgentUploads.DirectoryOf("stolen", agent1.Id(docs)))).StatusCode);
            Assert.Empty(await admin.GetAsync(Routes.Format(Routes.PcSnapshots, pc2.PcId), ProtocolJson.Default.IReadOnlyListSnapshotDto));

            // Uploading the same content itself, desk-2 commits it, checked in full against its own set.
            var own = await CommitAsync(agent2, root1, (SessionValues.Data, a), (SessionValues.Data, b), (SessionValues.Tree, docs), (SessionValues.Tree, root1));
            Assert.Equal(HttpStatusCode.Created, own.StatusCode);
            Assert.Equal(2, (await catalog.VerifiedTreesAsync(pc2.PcId, [agent1.Id(root1)], Ct))[agent1.Id(root1)]);

            // A verified tree whose snapshot the catalog no longer has is dropped at the next commit.
            await catalog.AddVerifiedTreesAsync(pc1.PcId, new string('e', 64), [(new string('f', 64), 7)], Ct);
            Assert.Equal(HttpStatusCode.Created, (await CommitAsync(agent1, root2)).StatusCode);
            Assert.Empty(await catalog.VerifiedTreesAsync(pc1.PcId, [new string('f', 64)], Ct));
            Assert.NotEmpty(await catalog.VerifiedTreesAsync(pc1.PcId, [agent1.Id(root2)], Ct));
        }

        // A restart empties every verified set (a prune may have run); the next commit checks in full again.
        await using (var server = await TestServer.StartAsync(options))
        {
            var catalog = server.Host.Services.GetRequiredService<ServerCatalog>();
            var snapshots = await catalog.ListSnapshotsAsync((await catalog.ListPcsAsync(Ct)).Single(p => p.Name == "desk-1").Id, Ct);
            Assert.Equal(3, snapshots.Count);
            Assert.Empty(await catalog.VerifiedTreesAsync(snapshots[0].PcId, [.. snapshots.Select(s => s.Tree)], Ct));
        }
    }
}
