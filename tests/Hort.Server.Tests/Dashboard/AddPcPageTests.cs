using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Admin;
using Hort.Server.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>The Add a PC page on a real hortd: the command it shows enrolls a PC; withdrawn codes do not.</summary>
public sealed partial class AddPcPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<IDocument> CreateCodeAsync(DashboardClient page, Dictionary<string, string> fields)
    {
        var response = await page.SubmitAsync("/add-pc", fields, "#create-form");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await DashboardClient.ParseAsync(response);
    }

    /// <summary>Server, code and fingerprint as the shown command names them.</summary>
    private static (string Server, string Code, string Fingerprint) Parse(IDocument shown)
    {
        var command = shown.QuerySelector("#enroll-command")!.TextContent.Trim();
        var m = CommandPattern().Match(command);
        Assert.True(m.Success, command);
        Assert.Equal("enroll-command", shown.QuerySelector("button[data-copy]")!.GetAttribute("data-copy"));
        return (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value);
    }

    private static Task<HttpResponseMessage> EnrollAsync(TestServer server, string code, string hostname) =>
        server.Client().PostAsJsonAsync(Routes.Enroll, new EnrollRequest(code, hostname, "Linux", "test"), ProtocolJson.Default.EnrollRequest, Ct);

    [Fact]
    public async Task The_command_shown_enrolls_a_pc_into_the_chosen_group_under_the_chosen_name()
    {
        await using var server = await TestServer.StartAsync();
        using var page = await DashboardClient.SetUpAdminAsync(server);
        Assert.Equal(HttpStatusCode.Redirect, (await page.SubmitAsync("/policies", new() { ["Name"] = "Laptops" }, "#group-create")).StatusCode);
        var catalog = server.Host.Services.GetRequiredService<ServerCatalog>();
        var group = Assert.Single(await catalog.ListGroupsAsync(Ct));

        var shown = await CreateCodeAsync(page, new() { ["GroupId"] = group.Id, ["PcName"] = "Front desk", ["ValidHours"] = "72" });
        var (address, code, fingerprint) = Parse(shown);
        Assert.Equal("https://" + server.Host.Address.Authority, address);
        Assert.Equal(server.Host.Identity.Fingerprint, fingerprint);
        // Reached as 127.0.0.1, the page warns that the address works only on the server.
        Assert.Contains("only on the server itself", shown.QuerySelector("#created .message.warn")!.TextContent, StringComparison.Ordinal);
        var open = Assert.Single(shown.QuerySelectorAll("#open-codes tbody tr"));
        Assert.Contains("Laptops", open.TextContent, StringComparison.Ordinal);

        var enrolled = await EnrollAsync(server, code, "desk-7");
        Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        var pcId = (await enrolled.Content.ReadFromJsonAsync(ProtocolJson.Default.EnrollResponse, Ct))!.PcId;
        var pc = (await catalog.GetPcAsync(pcId, Ct))!;
        Assert.Equal(("Front desk", group.Id), (pc.Name, pc.GroupId));

        // Used: no longer open, and it enrolls nothing else.
        Assert.Null((await page.PageAsync("/add-pc")).QuerySelector("#open-codes"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await EnrollAsync(server, code, "desk-8")).StatusCode);
        Assert.Contains(await catalog.ListAuditAsync(50, Ct), a => a.Action == "create-enrollment-code" && a.Admin == DashboardClient.AdminName);
    }

    [Fact]
    public async Task A_withdrawn_code_enrolls_nothing()
    {
        await using var server = await TestServer.StartAsync();
        using var page = await DashboardClient.SetUpAdminAsync(server);
        var (_, code, _) = Parse(await CreateCodeAsync(page, []));

        var withdrawn = await page.SubmitAsync("/add-pc", [], "#open-codes form");
        Assert.Equal(HttpStatusCode.Redirect, withdrawn.StatusCode);
        var after = await page.PageAsync(withdrawn.Headers.Location!.OriginalString);
        Assert.Contains("withdrawn", after.QuerySelector(".message.ok")!.TextContent, StringComparison.Ordinal);
        Assert.Null(after.QuerySelector("#open-codes"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await EnrollAsync(server, code, "desk-1")).StatusCode);
        Assert.Empty(await server.Host.Services.GetRequiredService<ServerCatalog>().ListPcsAsync(Ct));
    }

    [Fact]
    public async Task A_bad_name_is_refused_beside_the_field_and_creates_no_code()
    {
        await using var server = await TestServer.StartAsync();
        using var page = new DashboardClient(server, "de");
        (await DashboardClient.SetUpAdminAsync(server)).Dispose();
        Assert.Equal(HttpStatusCode.Redirect, (await page.SignInAsync(DashboardClient.AdminName, DashboardClient.Password)).StatusCode);

        var refused = await page.SubmitAsync("/add-pc", new() { ["PcName"] = new string('x', Names.MaxLength + 1) }, "#create-form");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var shown = await DashboardClient.ParseAsync(refused);
        Assert.Contains("höchstens 200 Zeichen", shown.QuerySelector("#pc-name-error")!.TextContent, StringComparison.Ordinal);
        Assert.Null(shown.QuerySelector("#enroll-command"));
        Assert.Empty(await server.Host.Services.GetRequiredService<ServerCatalog>().ListEnrollmentCodesAsync(DateTimeOffset.UtcNow, Ct));
    }

    [Theory]
    [InlineData("hort.office.lan:8443", "https://hort.office.lan:8443", false)]
    [InlineData("192.168.1.20:8443", "https://192.168.1.20:8443", false)]
    [InlineData("[fd00::20]:8443", "https://[fd00::20]:8443", false)]
    [InlineData("localhost:8443", "https://localhost:8443", true)]
    [InlineData("x;reboot", "https://0.0.0.0:9443", false)]
    [InlineData("", "https://0.0.0.0:9443", false)]
    public void The_server_address_is_the_one_the_browser_used_unless_it_is_not_a_plain_host(string host, string expected, bool loopback)
    {
        var request = new DefaultHttpContext().Request;
        request.Host = new HostString(host);
        var address = EnrollCommand.ServerAddress(request, new HortdOptions { Listen = "0.0.0.0", Port = 9443 });
        Assert.Equal(expected, address);
        Assert.Equal(loopback, EnrollCommand.IsLoopback(address));
    }

    [GeneratedRegex(@"^sudo /opt/hort/hort agent enroll --server (\S+) --code (\S+) --fingerprint ([0-9a-f]{64})$")]
    private static partial Regex CommandPattern();
}
