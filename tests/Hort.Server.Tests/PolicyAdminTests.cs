using System.Net;
using System.Net.Http.Json;
using Hort.Protocol;
using Hort.Server.Api;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests;

/// <summary>Group renames over the API, and which agents a policy change wakes.</summary>
public sealed class PolicyAdminTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_group_is_renamed_unless_the_name_is_taken_or_invalid()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var office = await (await admin.PostAsync(Routes.Groups, new GroupCreateRequest("Office"), ProtocolJson.Default.GroupCreateRequest)).ReadAsync(ProtocolJson.Default.GroupDto);
        await admin.PostAsync(Routes.Groups, new GroupCreateRequest("Laptops"), ProtocolJson.Default.GroupCreateRequest);

        Task<HttpResponseMessage> Rename(string id, string name) =>
            admin.PatchAsJsonAsync(Routes.Format(Routes.Group, id), new GroupCreateRequest(name), ProtocolJson.Default.GroupCreateRequest, Ct);

        Assert.Equal(HttpStatusCode.Conflict, (await Rename(office.Id, "Laptops")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Rename(office.Id, " ")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Rename(Ids.New(), "Desks")).StatusCode);
        var renamed = await (await Rename(office.Id, "Front office")).ReadAsync(ProtocolJson.Default.GroupDto);
        Assert.Equal((office.Id, "Front office"), (renamed.Id, renamed.Name));
        Assert.Equal(["Front office", "Laptops"], (await admin.GetAsync(Routes.Groups, ProtocolJson.Default.IReadOnlyListGroupDto)).Select(g => g.Name));
    }

    [Fact]
    public async Task A_group_policy_change_ends_the_waiting_polls_of_that_groups_pcs_only()
    {
        await using var server = await TestServer.StartAsync(time: new FrozenTime());
        var admin = await server.AdminAsync();
        var group = await (await admin.PostAsync(Routes.Groups, new GroupCreateRequest("Office"), ProtocolJson.Default.GroupCreateRequest)).ReadAsync(ProtocolJson.Default.GroupDto);
        var (_, member) = await server.EnrollAsync(admin, "desk-1", group.Id);
        var (_, other) = await server.EnrollAsync(admin, "desk-2");
        var signals = server.Host.Services.GetRequiredService<CommandSignals>();

        var memberPoll = member.GetAsync(Routes.AgentCommands + "?wait=60", Ct);
        using var stopOther = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var otherPoll = other.GetAsync(Routes.AgentCommands + "?wait=60", stopOther.Token);
        while (signals.Waiting < 2) await Task.Delay(10, Ct);

        var policy = PolicyDto.Default with { Concurrency = 2 };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync(Routes.Format(Routes.GroupPolicy, group.Id), policy, ProtocolJson.Default.PolicyDto)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await memberPoll).StatusCode);
        Assert.Equal(2, (await member.GetAsync(Routes.AgentConfig, ProtocolJson.Default.AgentConfigResponse)).Policy.Concurrency);
        Assert.False(otherPoll.IsCompleted);
        await stopOther.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => otherPoll);
    }
}
