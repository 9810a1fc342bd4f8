using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hort.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests;

public sealed class StolenCredentialTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string[] RepositoryFiles(string path) =>
        [.. Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Select(f => f[path.Length..]).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_stolen_agent_credential_tried_on_every_route_with_another_pcs_ids_gets_nothing_and_changes_nothing()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var group = await (await admin.PostAsync(Routes.Groups, new GroupCreateRequest("Office"), ProtocolJson.Default.GroupCreateRequest)).ReadAsync(ProtocolJson.Default.GroupDto);
        var (victim, victimClient) = await server.EnrollAsync(admin, "victim");
        var (_, thief) = await server.EnrollAsync(admin, "thief");
        var victimAgent = new AgentUploads(victimClient, victim);
        var secret = Encoding.UTF8.GetBytes("the victim's data");
        await victimAgent.BackupAsync(secret);
        var openSession = await victimAgent.OpenSessionAsync();
        var job = await (await admin.PostAsync(Routes.Format(Routes.PcBackups, victim.PcId), null, Ct)).ReadAsync(ProtocolJson.Default.JobDto);
        var code = await (await admin.PostAsync(Routes.EnrollmentCodes, new EnrollmentCodeCreateRequest(null, null, 1), ProtocolJson.Default.EnrollmentCodeCreateRequest))
            .ReadAsync(ProtocolJson.Default.EnrollmentCodeCreated);
        var snapshots = await admin.GetAsync(Routes.Format(Routes.PcSnapshots, victim.PcId), ProtocolJson.Default.IReadOnlyListSnapshotDto);
        var values = new Dictionary<string, string>
        {
            ["pcId"] = victim.PcId, ["groupId"] = group.Id, ["codeId"] = code.Id, ["jobId"] = job.Id, ["sessionId"] = openSession,
            ["blobType"] = SessionValues.Data, ["blobId"] = victimAgent.Id(secret), ["snapshotId"] = snapshots[0].Id, ["documentName"] = "v1", ["alertId"] = "1", ["kind"] = "prune", ["code"] = "de",
        };

        var repositoryPath = server.Options.ResolvedRepositoryPath;
        var filesBefore = RepositoryFiles(repositoryPath);
        var auditBefore = (await admin.GetAsync(Routes.Audit, ProtocolJson.Default.IReadOnlyListAuditEntryDto)).Count;

        var endpoints = server.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.True(endpoints.Count > 40, $"only {endpoints.Count} endpoints found");
        var tried = 0;
        foreach (var endpoint in endpoints)
        {
            var template = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var path = template;
            foreach (var parameter in endpoint.RoutePattern.Parameters)
            {
                path = path.Replace("{" + parameter.Name + "}", values[parameter.Name], StringComparison.Ordinal);
            }

            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = template switch
                    {
                        Routes.SessionBlob => new ByteArrayContent(secret),
                        Routes.SessionBlobs => Frames(victimAgent.Frames((secret, null, false, null))),
                        _ => new StringContent("{}", Encoding.UTF8, "application/json"),
                    };
                }

                var status = (await thief.SendAsync(request, Ct)).StatusCode;
                tried++;
                var isAgentRoute = template.StartsWith(Routes.AgentPrefix + "/", StringComparison.Ordinal) && template != Routes.Enroll;
                var anonymous = template is Routes.Status or Routes.Setup or Routes.Login or Routes.Enroll || template.StartsWith("/openapi", StringComparison.Ordinal);
                var reason = $"{method} {template} answered {(int)status}";
                var dashboard = !template.StartsWith(Routes.Prefix + "/", StringComparison.Ordinal) && !template.StartsWith("/openapi", StringComparison.Ordinal);
                if (dashboard)
                {
                    // The dashboard knows no bearer credential: its routes answer as to anybody (the sign-in page, or a redirect to it).
                    Assert.True(status is HttpStatusCode.OK or HttpStatusCode.Redirect or HttpStatusCode.NotFound or HttpStatusCode.BadRequest, reason);
                }
                else if (anonymous)
                {
                    Assert.True(status is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Conflict, reason);
                }
                else if (!isAgentRoute)
                {
                    Assert.True(status == HttpStatusCode.Forbidden, reason);
                }
                else if (endpoint.RoutePattern.Parameters.Count > 0)
                {
                    // Everything naming the victim's job, session or blob is refused as if it did not exist.
                    Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.BadRequest, reason);
                }
            }
        }

        Assert.True(tried > 40);
        Assert.Equal(filesBefore, RepositoryFiles(repositoryPath));
        Assert.Equal(auditBefore, (await admin.GetAsync(Routes.Audit, ProtocolJson.Default.IReadOnlyListAuditEntryDto)).Count);
        Assert.Equal(snapshots, await admin.GetAsync(Routes.Format(Routes.PcSnapshots, victim.PcId), ProtocolJson.Default.IReadOnlyListSnapshotDto), SnapshotComparer.Instance);
        Assert.Equal(JobValues.Queued, (await admin.GetAsync(Routes.Format(Routes.Job, job.Id), ProtocolJson.Default.JobDto)).State);
        Assert.False((await admin.GetAsync(Routes.Format(Routes.Pc, victim.PcId), ProtocolJson.Default.PcDto)).Revoked);
        Assert.Equal(openSession, await victimAgent.OpenSessionAsync());
        Assert.Equal("valid", (await admin.GetAsync(Routes.EnrollmentCodes, ProtocolJson.Default.IReadOnlyListEnrollmentCodeDto)).Single(c => c.Id == code.Id).State);
    }

    private static ByteArrayContent Frames(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(BlobFrameHeader.MediaType);
        return content;
    }

    private sealed class SnapshotComparer : IEqualityComparer<SnapshotDto>
    {
        public static readonly SnapshotComparer Instance = new();

        public bool Equals(SnapshotDto? x, SnapshotDto? y) => x!.Id == y!.Id && x.Time == y.Time && x.Tree == y.Tree;

        public int GetHashCode(SnapshotDto obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}
