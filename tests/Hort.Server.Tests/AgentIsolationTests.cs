using System.Net;
using Hort.Protocol;

namespace Hort.Server.Tests;

public sealed class AgentIsolationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_agent_credential_is_refused_on_every_admin_route()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, agent) = await server.EnrollAsync(admin, "desk-1");
        var some = pc.PcId;
        var gets = new[]
        {
            Routes.Pcs, Routes.Format(Routes.Pc, some), Routes.Format(Routes.PcSnapshots, some), Routes.Format(Routes.PcPolicy, some),
            Routes.Groups, Routes.DefaultPolicy, Routes.EnrollmentCodes, Routes.Jobs, Routes.Audit,
        };
        foreach (var route in gets)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await agent.GetAsync(route, Ct)).StatusCode);
        }

        var posts = new[] { Routes.Format(Routes.PcRevoke, some), Routes.Format(Routes.PcBackups, some), Routes.Groups, Routes.EnrollmentCodes, Routes.Logout };
        foreach (var route in posts)
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await agent.PostAsync(route, new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), Ct)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Forbidden, (await agent.DeleteAsync(Routes.Format(Routes.PcPolicy, some), Ct)).StatusCode);
        // Nothing changed: the PC is not revoked and no job or group was created.
        var pcNow = await admin.GetAsync(Routes.Format(Routes.Pc, some), ProtocolJson.Default.PcDto);
        Assert.False(pcNow.Revoked);
        Assert.Empty(await admin.GetAsync(Routes.Jobs, ProtocolJson.Default.IReadOnlyListJobDto));
        Assert.Empty(await admin.GetAsync(Routes.Groups, ProtocolJson.Default.IReadOnlyListGroupDto));

        // And an admin token is no agent credential.
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.GetAsync(Routes.AgentConfig, Ct)).StatusCode);
    }

    [Fact]
    public async Task An_agent_cannot_touch_another_pcs_jobs_and_a_revoked_credential_is_refused()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc1, agent1) = await server.EnrollAsync(admin, "desk-1");
        var (_, agent2) = await server.EnrollAsync(admin, "desk-2");
        var job = await (await admin.PostAsync(Routes.Format(Routes.PcBackups, pc1.PcId), null, Ct)).ReadAsync(ProtocolJson.Default.JobDto);

        Assert.Equal(HttpStatusCode.NoContent, (await agent2.GetAsync(Routes.AgentCommands + "?wait=0", Ct)).StatusCode);
        var result = await agent2.PostAsync(Routes.Format(Routes.AgentJobResult, job.Id), new JobResult(true, null, 0, "done"), ProtocolJson.Default.JobResult);
        Assert.Equal(HttpStatusCode.NotFound, result.StatusCode);
        Assert.Equal(JobValues.Queued, (await admin.GetAsync(Routes.Format(Routes.Job, job.Id), ProtocolJson.Default.JobDto)).State);

        // A forged credential naming PC 1 with another secret is refused.
        var forged = server.Client(Credentials.NewAgentCredential(pc1.PcId));
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync(Routes.AgentConfig, Ct)).StatusCode);

        var config = await agent1.GetAsync(Routes.AgentConfig, ProtocolJson.Default.AgentConfigResponse);
        Assert.Equal(pc1.PcId, config.PcId);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(Routes.Format(Routes.PcRevoke, pc1.PcId), null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await agent1.GetAsync(Routes.AgentConfig, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await agent1.PostAsync(Routes.Sessions, new SessionCreateRequest(null, ["/"], null, default), ProtocolJson.Default.SessionCreateRequest)).StatusCode);
        Assert.True((await admin.GetAsync(Routes.Format(Routes.Pc, pc1.PcId), ProtocolJson.Default.PcDto)).Revoked);
        Assert.Contains(await admin.GetAsync(Routes.Audit, ProtocolJson.Default.IReadOnlyListAuditEntryDto), a => a.Action == "revoke-pc");
    }
}
