using System.Net;
using Hort.Protocol;
using Hort.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests;

public sealed class CommandSignalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_waiting_long_poll_is_woken_by_a_queued_job_of_its_own_pc_only()
    {
        await using var server = await TestServer.StartAsync(time: new FrozenTime());
        var admin = await server.AdminAsync();
        var (pc1, agent1) = await server.EnrollAsync(admin, "desk-1");
        var (_, agent2) = await server.EnrollAsync(admin, "desk-2");
        var signals = server.Host.Services.GetRequiredService<CommandSignals>();

        // Both PCs wait; with the clock frozen, neither the 60 s wait nor the safety re-read can end a poll.
        var poll1 = agent1.GetAsync(Routes.AgentCommands + "?wait=60", Ct);
        using var stop2 = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var poll2 = agent2.GetAsync(Routes.AgentCommands + "?wait=60", stop2.Token);
        while (signals.Waiting < 2) await Task.Delay(10, Ct);

        var job = await (await admin.PostAsync(Routes.Format(Routes.PcBackups, pc1.PcId), null, Ct)).ReadAsync(ProtocolJson.Default.JobDto);
        var answer = await poll1;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(job.Id, Assert.Single(await answer.ReadAsync(ProtocolJson.Default.IReadOnlyListAgentCommand)).JobId);
        Assert.False(poll2.IsCompleted);
        Assert.Equal(1, signals.Waiting);
        await stop2.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => poll2);
    }
}
