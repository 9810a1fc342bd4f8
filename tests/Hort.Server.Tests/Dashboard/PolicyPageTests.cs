using System.Net;
using AngleSharp.Dom;
using Hort.Protocol;
using Hort.Server.Api;
using Hort.Server.Catalog;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>The Policies page on a real hortd: what it shows, what a save changes for the agent, what it refuses.</summary>
public sealed class PolicyPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A server with an API admin, a signed-in dashboard admin and one enrolled PC.</summary>
    private static async Task<(TestServer Server, HttpClient Api, DashboardClient Page, EnrollResponse Pc, HttpClient Agent)> StartAsync(TimeProvider? time = null)
    {
        var server = await TestServer.StartAsync(time: time);
        var api = await server.AdminAsync();
        var page = new DashboardClient(server);
        Assert.Equal(HttpStatusCode.Redirect, (await page.SignInAsync(DashboardClient.AdminName, DashboardClient.Password)).StatusCode);
        var (pc, agent) = await server.EnrollAsync(api, "desk-1");
        return (server, api, page, pc, agent);
    }

    private static Task<AgentConfigResponse> AgentConfigAsync(HttpClient agent) => agent.GetAsync(Routes.AgentConfig, ProtocolJson.Default.AgentConfigResponse);

    private static async Task<IDocument> SaveAsync(DashboardClient page, string path, Dictionary<string, string> fields, HttpStatusCode expected)
    {
        var response = await page.SubmitAsync(path, fields, "#policy-form");
        Assert.Equal(expected, response.StatusCode);
        return expected == HttpStatusCode.Redirect
            ? await page.PageAsync(response.Headers.Location!.OriginalString)
            : await DashboardClient.ParseAsync(response);
    }

    private static string Row(IDocument page, string pcId) => page.QuerySelector($"#pcs tr[data-pc='{pcId}'] .source")!.TextContent.Trim();

    [Fact]
    public async Task Saving_a_pc_policy_changes_what_its_agent_is_told_and_clearing_it_falls_back_to_the_default()
    {
        var (server, _, page, pc, agent) = await StartAsync();
        await using var _ = server;
        using var __ = page;

        var overview = await page.PageAsync("/policies");
        Assert.Equal("default", Row(overview, pc.PcId));

        // The form starts from the policy in effect.
        var form = await page.PageAsync($"/policies?pc={pc.PcId}");
        Assert.Equal("18:00", form.QuerySelector<AngleSharp.Html.Dom.IHtmlInputElement>("#window-start")!.Value);
        Assert.Null(form.QuerySelector("#clear-form"));

        var saved = await SaveAsync(page, $"/policies?pc={pc.PcId}", new()
        {
            ["Form.WindowStart"] = "20:30", ["Form.WindowEnd"] = "06:00", ["Form.KeepDaily"] = "7", ["Form.KeepWeekly"] = "2", ["Form.KeepMonthly"] = "12",
            ["Form.Include"] = "/home\r\n  /srv/data  \r\n\r\n", ["Form.Exclude"] = "**/*.tmp\n/home/*/Downloads", ["Form.Concurrency"] = "2",
        }, HttpStatusCode.Redirect);
        Assert.Contains("saved", saved.QuerySelector(".message.ok")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(saved.QuerySelector("#clear-form"));

        var config = await AgentConfigAsync(agent);
        Assert.Equal(["/home", "/srv/data"], config.Policy.Include);
        Assert.Equal(["**/*.tmp", "/home/*/Downloads"], config.Policy.Exclude);
        Assert.Equal(new BackupWindow(new TimeOnly(20, 30), new TimeOnly(6, 0)), config.Policy.Window);
        Assert.Equal(new RetentionRule(7, 2, 12), config.Policy.Keep);
        Assert.Equal(2, config.Policy.Concurrency);
        Assert.Equal("its own", Row(await page.PageAsync("/policies"), pc.PcId));
        var audit = await server.Host.Services.GetRequiredService<ServerCatalog>().ListAuditAsync(100, Ct);
        Assert.Contains(audit, a => a.Action == "set-pc-policy" && a.Target == "pc " + pc.PcId && a.Admin == DashboardClient.AdminName);

        var cleared = await page.SubmitAsync($"/policies?pc={pc.PcId}", [], "#clear-form");
        Assert.Equal(HttpStatusCode.Redirect, cleared.StatusCode);
        Assert.Equal(PolicyDto.Default.Include, (await AgentConfigAsync(agent)).Policy.Include);
        Assert.Equal("default", Row(await page.PageAsync("/policies"), pc.PcId));
    }

    [Theory]
    [InlineData("Form.WindowStart", "09:00", "#window-error", "Start and end must differ")]
    [InlineData("Form.WindowStart", "25:00", "#window-error", "Enter a time")]
    [InlineData("Form.KeepWeekly", "-1", "#keep-error", "between 0 and 10")]
    [InlineData("Form.KeepDaily", "many", "#keep-error", "whole number")]
    [InlineData("Form.Include", "/home\nDocuments", "#include-error", "must be absolute")]
    [InlineData("Form.Concurrency", "17", "#concurrency-error", "from 1 to 16")]
    public async Task A_bad_field_shows_its_message_beside_it_and_changes_nothing(string field, string value, string error, string message)
    {
        var (server, _, page, pc, agent) = await StartAsync();
        await using var _ = server;
        using var __ = page;

        var refused = await SaveAsync(page, $"/policies?pc={pc.PcId}", new() { ["Form.WindowEnd"] = "09:00", [field] = value }, HttpStatusCode.BadRequest);
        Assert.Contains(message, refused.QuerySelector(error)!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(refused.QuerySelector("[role=alert]"));
        // What was typed stays in the form, so it can be corrected.
        Assert.Equal(value, refused.QuerySelector<AngleSharp.Html.Dom.IHtmlFormElement>("#policy-form")!.Elements
            .Select(e => e switch
            {
                AngleSharp.Html.Dom.IHtmlInputElement i when i.Name == field => i.Value,
                AngleSharp.Html.Dom.IHtmlTextAreaElement t when t.Name == field => t.Value,
                _ => null,
            }).Single(v => v is not null));

        Assert.Null((await server.Host.Services.GetRequiredService<ServerCatalog>().GetPcAsync(pc.PcId, Ct))!.Policy);
        Assert.Equal(PolicyDto.Default, (await AgentConfigAsync(agent)).Policy, PolicyComparer.Instance);
    }

    [Fact]
    public async Task Too_many_lines_are_refused_with_a_message_in_german_too()
    {
        var (server, _, _, pc, _) = await StartAsync();
        await using var _ = server;
        using var page = new DashboardClient(server, "de");
        Assert.Equal(HttpStatusCode.Redirect, (await page.SignInAsync(DashboardClient.AdminName, DashboardClient.Password)).StatusCode);

        var lines = string.Join('\n', Enumerable.Range(0, PolicyDto.MaxPatterns + 1).Select(i => $"/data/{i}"));
        var refused = await SaveAsync(page, $"/policies?pc={pc.PcId}", new() { ["Form.Exclude"] = lines }, HttpStatusCode.BadRequest);
        Assert.Equal("Höchstens 1000 Zeilen.", refused.QuerySelector("#exclude-error")!.TextContent.Trim());
        Assert.Null((await server.Host.Services.GetRequiredService<ServerCatalog>().GetPcAsync(pc.PcId, Ct))!.Policy);
    }

    [Fact]
    public async Task A_group_is_created_given_a_policy_renamed_and_its_pcs_follow_it_until_it_is_deleted()
    {
        var (server, api, page, pc, agent) = await StartAsync();
        await using var _ = server;
        using var __ = page;

        Assert.Equal(HttpStatusCode.Redirect, (await page.SubmitAsync("/policies", new() { ["Name"] = "Laptops" }, "#group-create")).StatusCode);
        var taken = await page.SubmitAsync("/policies", new() { ["Name"] = "Laptops" }, "#group-create");
        Assert.Equal(HttpStatusCode.BadRequest, taken.StatusCode);
        Assert.Contains("has this name already", (await DashboardClient.ParseAsync(taken)).QuerySelector("#new-group-error")!.TextContent, StringComparison.Ordinal);
        var group = Assert.Single(await api.GetAsync(Routes.Groups, ProtocolJson.Default.IReadOnlyListGroupDto));

        // Move the PC into the group; with no group policy it still follows the default.
        Assert.Equal(HttpStatusCode.Redirect, (await page.SubmitAsync("/policies", new() { ["NewGroup"] = group.Id }, $"#pcs tr[data-pc='{pc.PcId}'] form")).StatusCode);
        Assert.Equal(group.Id, (await api.GetAsync(Routes.Format(Routes.Pc, pc.PcId), ProtocolJson.Default.PcDto)).GroupId);
        Assert.Equal("default", Row(await page.PageAsync("/policies"), pc.PcId));

        await SaveAsync(page, $"/policies?group={group.Id}", new() { ["Form.KeepMonthly"] = "24" }, HttpStatusCode.Redirect);
        var effective = await api.GetAsync(Routes.Format(Routes.PcPolicy, pc.PcId), ProtocolJson.Default.EffectivePolicyResponse);
        Assert.Equal((PolicySource.Group, 24), (effective.Source, effective.Policy.Keep.Monthly));
        Assert.Equal(24, (await AgentConfigAsync(agent)).Policy.Keep.Monthly);
        Assert.Equal("group Laptops", Row(await page.PageAsync("/policies"), pc.PcId));

        Assert.Equal(HttpStatusCode.Redirect, (await page.SubmitAsync("/policies", new() { ["Name"] = "Notebooks" }, $"#groups tr[data-group='{group.Id}'] .rename-form")).StatusCode);
        Assert.Equal("group Notebooks", Row(await page.PageAsync("/policies"), pc.PcId));

        // A PC's own policy wins over the group's; removing it falls back to the group's, not the default.
        await SaveAsync(page, $"/policies?pc={pc.PcId}", new() { ["Form.KeepMonthly"] = "3" }, HttpStatusCode.Redirect);
        Assert.Equal(3, (await AgentConfigAsync(agent)).Policy.Keep.Monthly);
        await page.SubmitAsync($"/policies?pc={pc.PcId}", [], "#clear-form");
        Assert.Equal(24, (await AgentConfigAsync(agent)).Policy.Keep.Monthly);

        // Taking the PC out of the group: the default again.
        await page.SubmitAsync("/policies", new() { ["NewGroup"] = "" }, $"#pcs tr[data-pc='{pc.PcId}'] form");
        Assert.Null((await api.GetAsync(Routes.Format(Routes.Pc, pc.PcId), ProtocolJson.Default.PcDto)).GroupId);
        Assert.Equal(PolicyDto.Default.Keep, (await AgentConfigAsync(agent)).Policy.Keep);

        Assert.Equal(HttpStatusCode.Redirect, (await page.SubmitAsync("/policies", [], $"#groups tr[data-group='{group.Id}'] .delete-form")).StatusCode);
        Assert.Empty(await api.GetAsync(Routes.Groups, ProtocolJson.Default.IReadOnlyListGroupDto));
        var actions = (await server.Host.Services.GetRequiredService<ServerCatalog>().ListAuditAsync(100, Ct)).Select(a => a.Action).ToList();
        Assert.Contains("create-group", actions);
        Assert.Contains("rename-group", actions);
        Assert.Contains("set-group-policy", actions);
        Assert.Contains("update-pc", actions);
        Assert.Contains("delete-group", actions);
    }

    [Fact]
    public async Task A_policy_saved_ends_the_agents_waiting_poll_so_it_reads_its_configuration_again()
    {
        // With the clock frozen, neither the 60 s wait nor the safety re-read can end the poll: only the change can.
        var (server, _, page, pc, agent) = await StartAsync(new FrozenTime());
        await using var _ = server;
        using var __ = page;
        var signals = server.Host.Services.GetRequiredService<CommandSignals>();

        var poll = agent.GetAsync(Routes.AgentCommands + "?wait=60", Ct);
        while (signals.Waiting < 1) await Task.Delay(10, Ct);
        await SaveAsync(page, $"/policies?pc={pc.PcId}", new() { ["Form.Concurrency"] = "3" }, HttpStatusCode.Redirect);
        Assert.Equal(HttpStatusCode.NoContent, (await poll).StatusCode);
        Assert.Equal(3, (await AgentConfigAsync(agent)).Policy.Concurrency);
    }

    /// <summary>Policies compared by value, lists included.</summary>
    private sealed class PolicyComparer : IEqualityComparer<PolicyDto>
    {
        public static readonly PolicyComparer Instance = new();

        public bool Equals(PolicyDto? x, PolicyDto? y) => x is not null && y is not null
            && x.Include.SequenceEqual(y.Include) && x.Exclude.SequenceEqual(y.Exclude)
            && x.Window == y.Window && x.Keep == y.Keep && x.Concurrency == y.Concurrency;

        public int GetHashCode(PolicyDto obj) => obj.Concurrency;
    }
}
