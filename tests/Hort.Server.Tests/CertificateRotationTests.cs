using System.Net;
using Hort.Protocol;

namespace Hort.Server.Tests;

public sealed class CertificateRotationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_next_certificate_is_announced_to_agents_before_the_server_switches_to_it_and_kept_after_a_restart()
    {
        var options = TestServer.NewOptions();
        string next;
        await using (var server = await TestServer.StartAsync(options))
        {
            server.KeepData = true;
            var admin = await server.AdminAsync();
            var (_, agent) = await server.EnrollAsync(admin, "desk-1");
            var first = server.Host.Identity.Fingerprint;
            Assert.Equal(new ServerCertificateDto(first, null), await admin.GetAsync(Routes.ServerCertificate, ProtocolJson.Default.ServerCertificateDto));
            Assert.Null((await agent.GetAsync(Routes.AgentConfig, ProtocolJson.Default.AgentConfigResponse)).NextServerFingerprint);
            Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync(Routes.ServerCertificateSwitch, null, Ct)).StatusCode);

            var prepared = await (await admin.PostAsync(Routes.ServerCertificateNext, null, Ct)).ReadAsync(ProtocolJson.Default.ServerCertificateDto);
            next = prepared.NextFingerprint!;
            Assert.Matches("^[0-9a-f]{64}$", next);
            Assert.Equal(first, prepared.Fingerprint);
            Assert.NotEqual(first, next);
            // Preparing again keeps the certificate already announced.
            Assert.Equal(prepared, await (await admin.PostAsync(Routes.ServerCertificateNext, null, Ct)).ReadAsync(ProtocolJson.Default.ServerCertificateDto));
            Assert.Equal(next, (await agent.GetAsync(Routes.AgentConfig, ProtocolJson.Default.AgentConfigResponse)).NextServerFingerprint);

            // Not yet presented: a client pinned to the next certificate cannot connect.
            using (var early = TestServer.PinnedClient(server.Host.Address, next))
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => early.GetAsync(Routes.Status, Ct));
            }

            var switched = await (await admin.PostAsync(Routes.ServerCertificateSwitch, null, Ct)).ReadAsync(ProtocolJson.Default.ServerCertificateDto);
            Assert.Equal(new ServerCertificateDto(next, null), switched);
            Assert.Equal(next, server.Host.Identity.Fingerprint);

            // New connections get the new certificate; one pinned to the old can no longer connect.
            using (var late = TestServer.PinnedClient(server.Host.Address, next))
            {
                Assert.Equal(next, (await late.GetAsync(Routes.Status, ProtocolJson.Default.StatusResponse)).ServerFingerprint);
            }

            using (var old = TestServer.PinnedClient(server.Host.Address, first))
            {
                await Assert.ThrowsAsync<HttpRequestException>(() => old.GetAsync(Routes.Status, Ct));
            }

            var audit = await server.Client(await TestServer.LoginAsync(server.Client(), "admin", TestServer.AdminPassword))
                .GetAsync(Routes.Audit, ProtocolJson.Default.IReadOnlyListAuditEntryDto);
            Assert.Contains(audit, a => a.Action == "prepare-certificate");
            Assert.Contains(audit, a => a.Action == "switch-certificate");
            Assert.True(File.Exists(Path.Combine(server.DataDirectory, "server.previous.pfx")));
            Assert.False(File.Exists(Path.Combine(server.DataDirectory, "server.next.pfx")));
        }

        await using (var restarted = await TestServer.StartAsync(options))
        {
            Assert.Equal(next, restarted.Host.Identity.Fingerprint);
        }
    }
}
