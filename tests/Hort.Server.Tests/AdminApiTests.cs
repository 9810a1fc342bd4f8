using System.Net;
using Hort.Protocol;

namespace Hort.Server.Tests;

public sealed class AdminApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task First_admin_is_created_only_with_the_printed_setup_code_and_only_once()
    {
        await using var server = await TestServer.StartAsync();
        var client = server.Client();
        Assert.True((await client.GetAsync(Routes.Status, ProtocolJson.Default.StatusResponse)).SetupRequired);
        Assert.Matches("^[0-9A-Z]{4}(-[0-9A-Z]{4}){7}$", server.SetupCode);

        var wrong = await client.PostAsync(Routes.Setup, new SetupRequest("AAAA-BBBB", "admin", TestServer.AdminPassword), ProtocolJson.Default.SetupRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var weak = await client.PostAsync(Routes.Setup, new SetupRequest(server.SetupCode, "admin", "short"), ProtocolJson.Default.SetupRequest);
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);

        var ok = await client.PostAsync(Routes.Setup, new SetupRequest(server.SetupCode.ToLowerInvariant(), "admin", TestServer.AdminPassword), ProtocolJson.Default.SetupRequest);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        var again = await client.PostAsync(Routes.Setup, new SetupRequest(server.SetupCode, "other", TestServer.AdminPassword), ProtocolJson.Default.SetupRequest);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.False((await client.GetAsync(Routes.Status, ProtocolJson.Default.StatusResponse)).SetupRequired);

        // Admin routes need a token; a token from login works and ends with logout.
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(Routes.Pcs, Ct)).StatusCode);
        var token = await TestServer.LoginAsync(client, "admin", TestServer.AdminPassword);
        var admin = server.Client(token);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(Routes.Pcs, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync(Routes.Logout, null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await admin.GetAsync(Routes.Pcs, Ct)).StatusCode);

        var audit = await server.Client(await TestServer.LoginAsync(client, "admin", TestServer.AdminPassword))
            .GetAsync(Routes.Audit, ProtocolJson.Default.IReadOnlyListAuditEntryDto);
        Assert.Contains(audit, a => a.Action == "setup" && a.Admin == "admin");
    }

    [Fact]
    public async Task Groups_and_policies_resolve_pc_then_group_then_default_and_invalid_policies_are_refused()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var group = await (await admin.PostAsync(Routes.Groups, new GroupCreateRequest("Office"), ProtocolJson.Default.GroupCreateRequest)).ReadAsync(ProtocolJson.Default.GroupDto);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync(Routes.Groups, new GroupCreateRequest("Office"), ProtocolJson.Default.GroupCreateRequest)).StatusCode);
        var (pc, _) = await server.EnrollAsync(admin, "desk-1", group.Id);
        var pcPolicy = Routes.Format(Routes.PcPolicy, pc.PcId);

        var effective = await admin.GetAsync(pcPolicy, ProtocolJson.Default.EffectivePolicyResponse);
        Assert.Equal(PolicySource.Default, effective.Source);
        Assert.Equal(new RetentionRule(5, 4, 6), effective.Policy.Keep);

        var groupPolicy = PolicyDto.Default with { Keep = new RetentionRule(7, 4, 12) };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync(Routes.Format(Routes.GroupPolicy, group.Id), groupPolicy, ProtocolJson.Default.PolicyDto)).StatusCode);
        effective = await admin.GetAsync(pcPolicy, ProtocolJson.Default.EffectivePolicyResponse);
        Assert.Equal((PolicySource.Group, 7), (effective.Source, effective.Policy.Keep.Daily));

        var own = PolicyDto.Default with { Include = ["/home"], Window = new BackupWindow(new TimeOnly(20, 0), new TimeOnly(6, 0)) };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync(pcPolicy, own, ProtocolJson.Default.PolicyDto)).StatusCode);
        effective = await admin.GetAsync(pcPolicy, ProtocolJson.Default.EffectivePolicyResponse);
        Assert.Equal((PolicySource.Pc, "/home"), (effective.Source, effective.Policy.Include[0]));

        var invalid = await admin.PutAsync(pcPolicy, own with { Concurrency = 0 }, ProtocolJson.Default.PolicyDto);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("application/problem+json", invalid.Content.Headers.ContentType?.MediaType);
        Assert.Equal((PolicySource.Pc, 1), ((await admin.GetAsync(pcPolicy, ProtocolJson.Default.EffectivePolicyResponse)).Source, own.Concurrency));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(pcPolicy, Ct)).StatusCode);
        Assert.Equal(PolicySource.Group, (await admin.GetAsync(pcPolicy, ProtocolJson.Default.EffectivePolicyResponse)).Source);
    }

    [Fact]
    public async Task Enrollment_codes_are_single_use_and_can_be_expired_early()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var code = await (await admin.PostAsync(Routes.EnrollmentCodes, new EnrollmentCodeCreateRequest(null, "Front desk", 2), ProtocolJson.Default.EnrollmentCodeCreateRequest))
            .ReadAsync(ProtocolJson.Default.EnrollmentCodeCreated);
        var anonymous = server.Client();
        var enrolled = await anonymous.PostAsync(Routes.Enroll, new EnrollRequest(code.Code, "pc-17", "Linux", "1"), ProtocolJson.Default.EnrollRequest);
        Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        var response = await enrolled.ReadAsync(ProtocolJson.Default.EnrollResponse);
        Assert.Equal(32, response.Dedup.ChunkIdKey.Length);
        Assert.Equal(32, response.Dedup.ChunkerKey.Length);

        var reused = await anonymous.PostAsync(Routes.Enroll, new EnrollRequest(code.Code, "pc-18", "Linux", "1"), ProtocolJson.Default.EnrollRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);

        var pc = await admin.GetAsync(Routes.Format(Routes.Pc, response.PcId), ProtocolJson.Default.PcDto);
        Assert.Equal(("Front desk", "pc-17"), (pc.Name, pc.Hostname));

        var second = await (await admin.PostAsync(Routes.EnrollmentCodes, new EnrollmentCodeCreateRequest(null, null, 2), ProtocolJson.Default.EnrollmentCodeCreateRequest))
            .ReadAsync(ProtocolJson.Default.EnrollmentCodeCreated);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync(Routes.Format(Routes.EnrollmentCode, second.Id), Ct)).StatusCode);
        var expired = await anonymous.PostAsync(Routes.Enroll, new EnrollRequest(second.Code, "pc-19", "Linux", "1"), ProtocolJson.Default.EnrollRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);

        var codes = await admin.GetAsync(Routes.EnrollmentCodes, ProtocolJson.Default.IReadOnlyListEnrollmentCodeDto);
        Assert.Equal(["expired", "used"], codes.Select(c => c.State).Order());
        Assert.Single(await admin.GetAsync(Routes.Pcs, ProtocolJson.Default.IReadOnlyListPcDto));
    }

    [Fact]
    public async Task Backup_and_restore_requests_become_jobs_the_pc_receives_as_commands()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, agent) = await server.EnrollAsync(admin, "desk-2");
        var job = await (await admin.PostAsync(Routes.Format(Routes.PcBackups, pc.PcId), null, Ct)).ReadAsync(ProtocolJson.Default.JobDto);
        Assert.Equal(JobValues.Queued, job.State);

        var commands = await agent.GetAsync(Routes.AgentCommands + "?wait=0", ProtocolJson.Default.IReadOnlyListAgentCommand);
        Assert.Equal(job.Id, Assert.Single(commands).JobId);

        IReadOnlyList<JobLogEntry> log = [new JobLogEntry(DateTimeOffset.UnixEpoch, "info", "started")];
        Assert.Equal(HttpStatusCode.NoContent, (await agent.PostAsync(Routes.Format(Routes.AgentJobLog, job.Id), log, ProtocolJson.Default.IReadOnlyListJobLogEntry)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await agent.PostAsync(Routes.Format(Routes.AgentJobResult, job.Id), new JobResult(false, null, 1, "disk unreadable"), ProtocolJson.Default.JobResult)).StatusCode);
        var done = await admin.GetAsync(Routes.Format(Routes.Job, job.Id), ProtocolJson.Default.JobDto);
        Assert.Equal((JobValues.Failed, "disk unreadable"), (done.State, done.Message));
        Assert.Equal("started", Assert.Single(await admin.GetAsync(Routes.Format(Routes.JobLog, job.Id), ProtocolJson.Default.IReadOnlyListJobLogEntry)).Message);
        Assert.Equal(HttpStatusCode.NoContent, (await agent.GetAsync(Routes.AgentCommands + "?wait=0", Ct)).StatusCode);

        var restore = await admin.PostAsync(Routes.Format(Routes.PcRestores, pc.PcId), new RestoreRequest(new string('a', 64), null, null), ProtocolJson.Default.RestoreRequest);
        Assert.Equal(HttpStatusCode.NotFound, restore.StatusCode);
    }

    [Fact]
    public async Task OpenApi_document_is_served_and_lists_the_endpoints()
    {
        await using var server = await TestServer.StartAsync();
        var text = await server.Client().GetStringAsync(Routes.OpenApiDocument, Ct);
        foreach (var route in new[] { Routes.Status, Routes.Setup, Routes.Login, Routes.Pcs, Routes.Pc, Routes.PcRevoke, Routes.PcSnapshots, Routes.Groups,
                     Routes.GroupPolicy, Routes.PcPolicy, Routes.EnrollmentCodes, Routes.Enroll, Routes.Jobs, Routes.JobLog, Routes.PcRestores, Routes.Audit,
                     Routes.SessionKnown, Routes.SessionBlob, Routes.SessionCommit })
        {
            Assert.Contains($"\"{route}\"", text, StringComparison.Ordinal);
        }

        Assert.StartsWith("{", text.TrimStart(), StringComparison.Ordinal);
        Assert.Contains("\"openapi\"", text, StringComparison.Ordinal);
    }
}
