using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Hort.Protocol;
using Hort.Server.Hosting;
using Hort.Core;
using System.Security.Cryptography;

namespace Hort.Server.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class ProcessTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string HortdDll => Path.Combine(AppContext.BaseDirectory, "hortd.dll");

    private static Process Start(string data, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(HortdDll);
        info.ArgumentList.Add("--data");
        info.ArgumentList.Add(data);
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["HORTD_PASSWORDHASHING__PASSES"] = "1";
        info.Environment["HORTD_PASSWORDHASHING__MEMORYKIB"] = "64";
        return Process.Start(info)!;
    }

    [Fact]
    public async Task The_hortd_process_starts_on_a_fresh_folder_and_answers_over_https_pinned_to_the_printed_fingerprint()
    {
        var data = Path.Combine(Directory.CreateTempSubdirectory("hortd-proc-").FullName, "nested", "data");
        using var process = Start(data, "--port", "0");
        try
        {
            string? address = null, fingerprint = null, code = null;
            while (code is null && await process.StandardOutput.ReadLineAsync(Ct) is { } line)
            {
                if (ListeningPattern().Match(line) is { Success: true } l) address = l.Groups[1].Value;
                if (FingerprintPattern().Match(line) is { Success: true } f) fingerprint = f.Groups[1].Value;
                if (CodePattern().Match(line) is { Success: true } c) code = c.Groups[1].Value;
            }

            Assert.NotNull(address);
            Assert.NotNull(fingerprint);
            Assert.NotNull(code);
            using var client = TestServer.PinnedClient(new Uri(address), fingerprint);
            var status = await client.GetAsync(Routes.Status, ProtocolJson.Default.StatusResponse);
            Assert.Equal((true, fingerprint), (status.SetupRequired, status.ServerFingerprint));
            var setup = await client.PostAsync(Routes.Setup, new SetupRequest(code, "admin", TestServer.AdminPassword), ProtocolJson.Default.SetupRequest);
            Assert.Equal(HttpStatusCode.Created, setup.StatusCode);

            // A client pinned to another fingerprint refuses the connection.
            using var wrong = TestServer.PinnedClient(new Uri(address), new string('0', 64));
            await Assert.ThrowsAsync<HttpRequestException>(() => wrong.GetAsync(Routes.Status, Ct));

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "repository.password")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data, "server.pfx")));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(data));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(Ct);
            Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(data))!, true);
        }
    }

    [Fact]
    public async Task Invalid_settings_stop_hortd_with_a_clear_message()
    {
        var data = Directory.CreateTempSubdirectory("hortd-proc-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(data, OptionsLoader.FileName), """{ "Port": 70000, "Catalog": { "Provider": "postgresql" } }""", Ct);
            using var process = Start(data, "--listen", "not-an-address");
            var error = await process.StandardError.ReadToEndAsync(Ct);
            await process.WaitForExitAsync(Ct);
            Assert.Equal(2, process.ExitCode);
            Assert.Contains("Port 70000", error, StringComparison.Ordinal);
            Assert.Contains("not-an-address", error, StringComparison.Ordinal);
            Assert.Contains("ConnectionString is empty", error, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(data, "catalog.db")));
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }

    [Fact]
    public void Settings_come_from_file_then_environment_then_command_line()
    {
        var data = Directory.CreateTempSubdirectory("hortd-opt-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(data, OptionsLoader.FileName), """{ "Port": 9000, "Listen": "0.0.0.0", "AdminTokenHours": 3 }""");
            var environment = new Dictionary<string, string?> { ["Port"] = "9100", ["DataDirectory"] = data };
            var options = OptionsLoader.Load(OptionsLoader.Parse(["--port", "9200"]), environment);
            Assert.Equal((9200, "0.0.0.0", 3, data), (options.Port, options.Listen, options.AdminTokenHours, options.DataDirectory));
            Assert.Equal(9100, OptionsLoader.Load(OptionsLoader.Parse([]), environment).Port);
            Assert.Throws<HortException>(() => OptionsLoader.Parse(["--unknown", "x"]));
            Assert.Equal("rebuild-catalog", OptionsLoader.Parse(["rebuild-catalog", "--data=/x"]).Verb);
            var typo = Assert.Throws<HortException>(() => OptionsLoader.Load(OptionsLoader.Parse([]), new Dictionary<string, string?> { ["DataDirectory"] = data, ["Prot"] = "1" }));
            Assert.Contains("Prot", typo.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(data, true);
        }
    }

    /// <summary>Starts hortd and reads its start lines: address, fingerprint and (on a fresh folder) the setup code.</summary>
    private static async Task<(Process Process, HttpClient Client, string? SetupCode)> StartAndConnectAsync(string data, bool expectSetupCode)
    {
        var process = Start(data, "--port", "0");
        string? address = null, fingerprint = null, code = null;
        while (await process.StandardOutput.ReadLineAsync(Ct) is { } line)
        {
            if (ListeningPattern().Match(line) is { Success: true } l) address = l.Groups[1].Value;
            if (FingerprintPattern().Match(line) is { Success: true } f) fingerprint = f.Groups[1].Value;
            if (CodePattern().Match(line) is { Success: true } c) code = c.Groups[1].Value;
            if (address is not null && fingerprint is not null && (code is not null || !expectSetupCode))
            {
                break;
            }
        }

        Assert.NotNull(address);
        Assert.NotNull(fingerprint);
        // Keep draining the output so the process never blocks on a full pipe.
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is not null)
            {
            }
        });
        return (process, TestServer.PinnedClient(new Uri(address), fingerprint), code);
    }

    [Fact]
    public async Task After_kill_9_during_uploads_committed_snapshots_are_intact_and_the_session_resumes()
    {
        var root = Directory.CreateTempSubdirectory("hortd-kill-").FullName;
        var data = Path.Combine(root, "data");
        var committedChunk = RandomNumberGenerator.GetBytes(64 * 1024);
        var durable = RandomNumberGenerator.GetBytes(64 * 1024);
        var inFlight = RandomNumberGenerator.GetBytes(64 * 1024);
        var started = new List<Process>();
        try
        {
            var (process, anonymous, code) = await StartAndConnectAsync(data, expectSetupCode: true);
            started.Add(process);
            EnrollResponse pc;
            string snapshotId, session;
            using (anonymous)
            {
                Assert.Equal(HttpStatusCode.Created, (await anonymous.PostAsync(Routes.Setup, new SetupRequest(code!, "admin", TestServer.AdminPassword), ProtocolJson.Default.SetupRequest)).StatusCode);
                using var admin = TestServer.PinnedClient(anonymous.BaseAddress!, (await anonymous.GetAsync(Routes.Status, ProtocolJson.Default.StatusResponse)).ServerFingerprint);
                admin.DefaultRequestHeaders.Authorization = new("Bearer", await TestServer.LoginAsync(anonymous, "admin", TestServer.AdminPassword));
                var created = await (await admin.PostAsync(Routes.EnrollmentCodes, new EnrollmentCodeCreateRequest(null, null, 1), ProtocolJson.Default.EnrollmentCodeCreateRequest))
                    .ReadAsync(ProtocolJson.Default.EnrollmentCodeCreated);
                pc = await (await anonymous.PostAsync(Routes.Enroll, new EnrollRequest(created.Code, "desk", "Linux", "1"), ProtocolJson.Default.EnrollRequest))
                    .ReadAsync(ProtocolJson.Default.EnrollResponse);
                anonymous.DefaultRequestHeaders.Authorization = new("Bearer", pc.Credential);
                var agent = new AgentUploads(anonymous, pc);
                snapshotId = (await agent.BackupAsync(committedChunk)).SnapshotId;

                session = await agent.OpenSessionAsync();
                await agent.UploadAsync(session, SessionValues.Data, durable);
                Assert.Equal(HttpStatusCode.NoContent, (await anonymous.PostAsync(Routes.Format(Routes.SessionCheckpoint, session), null, Ct)).StatusCode);
                await agent.UploadAsync(session, SessionValues.Data, inFlight);
                process.Kill();
                await process.WaitForExitAsync(Ct);
            }

            var (again, client, _) = await StartAndConnectAsync(data, expectSetupCode: false);
            started.Add(again);
            using (client)
            {
                client.DefaultRequestHeaders.Authorization = new("Bearer", pc.Credential);
                var agent = new AgentUploads(client, pc);
                Assert.Equal(snapshotId, Assert.Single(await client.GetAsync(Routes.AgentSnapshots, ProtocolJson.Default.IReadOnlyListSnapshotDto)).Id);
                var root1 = await client.GetByteArrayAsync(Routes.Format(Routes.AgentBlob, SessionValues.Data, agent.Id(committedChunk)), Ct);
                Assert.Equal(committedChunk, root1);

                // The same session comes back; only what was not yet durable must be sent again.
                Assert.Equal(session, await agent.OpenSessionAsync());
                Assert.Equal([agent.Id(inFlight)], await agent.NeededAsync(session, agent.Id(durable), agent.Id(inFlight)));
                await agent.UploadAsync(session, SessionValues.Data, inFlight);
                var tree = AgentUploads.TreeOf(("f", [agent.Id(durable), agent.Id(inFlight)]));
                Assert.Equal(HttpStatusCode.NoContent, (await agent.UploadAsync(session, SessionValues.Tree, tree)).StatusCode);
                Assert.Equal(HttpStatusCode.Created, (await agent.CommitAsync(session, agent.Id(tree))).StatusCode);
                again.Kill();
                await again.WaitForExitAsync(Ct);
            }
        }
        finally
        {
            foreach (var p in started)
            {
                try
                {
                    if (!p.HasExited) p.Kill();
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }

                p.Dispose();
            }

            Directory.Delete(root, true);
        }
    }

    [GeneratedRegex("listening on (https://\\S+)")]
    private static partial Regex ListeningPattern();

    [GeneratedRegex("fingerprint ([0-9a-f]{64})")]
    private static partial Regex FingerprintPattern();

    [GeneratedRegex("setup code ([A-Z0-9-]+)")]
    private static partial Regex CodePattern();
}
