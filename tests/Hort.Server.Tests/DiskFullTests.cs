using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Hort.Protocol;

namespace Hort.Server.Tests;

/// <summary>A repository on a tiny tmpfs: a full disk answers 507, and the server carries on once space is freed.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DiskFullTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static bool Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        process.WaitForExit();
        return process.ExitCode == 0;
    }

    [Fact]
    public async Task A_full_repository_disk_answers_507_and_uploads_work_again_after_space_is_freed()
    {
        var mount = Directory.CreateTempSubdirectory("hortd-full-").FullName;
        Assert.SkipUnless(Environment.UserName == "root" && Run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", mount),
            "needs root to mount a small tmpfs");
        try
        {
            var options = TestServer.NewOptions();
            options.RepositoryPath = Path.Combine(mount, "repository");
            await using var server = await TestServer.StartAsync(options);
            var admin = await server.AdminAsync();
            var (pc, client) = await server.EnrollAsync(admin, "desk-1");
            var agent = new AgentUploads(client, pc);
            var session = await agent.OpenSessionAsync();

            // Leave about 64 KiB free, then upload 400 KiB of incompressible data: the server appends it to its open
            // pack file at once, so the upload itself finds the disk full.
            var filler = Path.Combine(mount, "filler");
            var free = new DriveInfo(mount).AvailableFreeSpace;
            await File.WriteAllBytesAsync(filler, new byte[free - 64 * 1024], Ct);
            var chunk = RandomNumberGenerator.GetBytes(400 * 1024);
            var full = await agent.UploadAsync(session, SessionValues.Data, chunk);
            Assert.Equal(HttpStatusCode.InsufficientStorage, full.StatusCode);
            Assert.Equal("application/problem+json", full.Content.Headers.ContentType?.MediaType);
            Assert.Equal([agent.Id(chunk)], await agent.NeededAsync(session, agent.Id(chunk)));

            // Space is freed: the same session goes on and commits.
            File.Delete(filler);
            Assert.Equal(HttpStatusCode.NoContent, (await agent.UploadAsync(session, SessionValues.Data, chunk)).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync(Routes.Format(Routes.SessionCheckpoint, session), null, Ct)).StatusCode);
            Assert.Empty(await agent.NeededAsync(session, agent.Id(chunk)));
            var tree = AgentUploads.TreeOf(("big", [agent.Id(chunk)]));
            Assert.Equal(HttpStatusCode.NoContent, (await agent.UploadAsync(session, SessionValues.Tree, tree)).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await agent.CommitAsync(session, agent.Id(tree))).StatusCode);
        }
        finally
        {
            Run("umount", mount);
            Directory.Delete(mount, true);
        }
    }
}
