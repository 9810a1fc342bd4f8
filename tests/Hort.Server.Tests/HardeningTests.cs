using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Hort.Protocol;
using Hort.Server.Api;
using Hort.Storage;

namespace Hort.Server.Tests;

public sealed class HardeningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Repeated_failed_logins_from_one_address_get_429_with_retry_after_even_for_the_right_password()
    {
        var options = TestServer.NewOptions();
        options.MaxFailedAttempts = 3;
        await using var server = await TestServer.StartAsync(options);
        await server.AdminAsync();
        var client = server.Client();
        for (var i = 0; i < 3; i++)
        {
            var failed = await client.PostAsync(Routes.Login, new LoginRequest("admin", "wrong password " + i), ProtocolJson.Default.LoginRequest);
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        var refused = await client.PostAsync(Routes.Login, new LoginRequest("admin", TestServer.AdminPassword), ProtocolJson.Default.LoginRequest);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        // Enrollment attempts from the throttled address are refused too.
        var enroll = await client.PostAsync(Routes.Enroll, new EnrollRequest("AAAA", "pc", "Linux", "1"), ProtocolJson.Default.EnrollRequest);
        Assert.Equal(HttpStatusCode.TooManyRequests, enroll.StatusCode);
    }

    [Fact]
    public async Task Failed_enrollments_are_throttled()
    {
        var options = TestServer.NewOptions();
        options.MaxFailedAttempts = 2;
        await using var server = await TestServer.StartAsync(options);
        var client = server.Client();
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync(Routes.Enroll, new EnrollRequest("WRONG-CODE", "pc", "Linux", "1"), ProtocolJson.Default.EnrollRequest)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.PostAsync(Routes.Enroll, new EnrollRequest("WRONG-CODE", "pc", "Linux", "1"), ProtocolJson.Default.EnrollRequest)).StatusCode);
    }

    [Fact]
    public async Task An_oversized_request_without_a_credential_is_refused_before_it_is_read()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.Client();
        var big = new string('x', 200 * 1024);
        var json = $"{{\"username\":\"admin\",\"password\":\"{big}\"}}";
        var response = await client.PostAsync(Routes.Login, new StringContent(json, Encoding.UTF8, "application/json"), Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);

        // Also when the body is streamed without a declared length.
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, Routes.Login) { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var streamed = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
    }

    [Fact]
    public async Task Malformed_json_gets_problem_details_and_changes_nothing()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var auditBefore = (await admin.GetAsync(Routes.Audit, ProtocolJson.Default.IReadOnlyListAuditEntryDto)).Count;
        foreach (var body in new[] { "{\"name\":", "[1,2]", "{\"name\":null}", "not json", "" })
        {
            var response = await admin.PostAsync(Routes.Groups, new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var pcs = await admin.PatchAsync(Routes.Format(Routes.Pc, "0123"), new StringContent("{", Encoding.UTF8, "application/json"), Ct);
        Assert.True(pcs.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound);
        Assert.Empty(await admin.GetAsync(Routes.Groups, ProtocolJson.Default.IReadOnlyListGroupDto));
        Assert.Equal(auditBefore, (await admin.GetAsync(Routes.Audit, ProtocolJson.Default.IReadOnlyListAuditEntryDto)).Count);
    }

    [Fact]
    public async Task Tls_below_1_2_is_refused()
    {
        await using var server = await TestServer.StartAsync();
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host.Address.Host, server.Host.Address.Port, Ct);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
#pragma warning disable SYSLIB0039 // deliberately offering an obsolete protocol
        var options = new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = SslProtocols.Tls11 };
#pragma warning restore SYSLIB0039
        await Assert.ThrowsAnyAsync<Exception>(() => tls.AuthenticateAsClientAsync(options, Ct));

        using var tcp12 = new TcpClient();
        await tcp12.ConnectAsync(server.Host.Address.Host, server.Host.Address.Port, Ct);
        await using var tls12 = new SslStream(tcp12.GetStream(), false, (_, _, _, _) => true);
        await tls12.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = SslProtocols.Tls12 }, Ct);
        Assert.Equal(SslProtocols.Tls12, tls12.SslProtocol);
    }

    [Fact]
    public void A_full_disk_anywhere_maps_to_507()
    {
        Assert.Equal(507, ServerExceptionHandler.Classify(new StorageFullException("/data")).Status);
        Assert.Equal(507, ServerExceptionHandler.Classify(new InvalidOperationException("wrapped", new IOException("disk full", 28))).Status);
        Assert.Equal(507, ServerExceptionHandler.Classify(new Microsoft.Data.Sqlite.SqliteException("full", 13)).Status);
        Assert.Equal(500, ServerExceptionHandler.Classify(new IOException("other", 5)).Status);
    }
}
