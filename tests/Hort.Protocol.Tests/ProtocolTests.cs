using System.Text.Json;

namespace Hort.Protocol.Tests;

public sealed class JsonRoundTripTests
{
    [Fact]
    public void Enroll_response_uses_camel_case_and_base64_keys_and_round_trips()
    {
        var response = new EnrollResponse("pc1", "hagt_pc1_secret", ApiVersions.Current,
            new DedupKeys([1, 2, 3], [4, 5], new ChunkerSettings(1, 2, 3), "zstd"));
        var json = JsonSerializer.Serialize(response, ProtocolJson.Default.EnrollResponse);
        Assert.Contains("\"pcId\":\"pc1\"", json, StringComparison.Ordinal);
        Assert.Contains("\"chunkIdKey\":\"AQID\"", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize(json, ProtocolJson.Default.EnrollResponse)!;
        Assert.Equal(response.Dedup.ChunkIdKey, back.Dedup.ChunkIdKey);
        Assert.Equal(response.Dedup.Chunker, back.Dedup.Chunker);
        Assert.Equal(response.Credential, back.Credential);
    }

    [Fact]
    public void Policy_round_trips_with_window_times_and_string_enums()
    {
        var effective = new EffectivePolicyResponse(PolicyDto.Default, PolicySource.Group);
        var json = JsonSerializer.Serialize(effective, ProtocolJson.Default.EffectivePolicyResponse);
        Assert.Contains("\"source\":\"Group\"", json, StringComparison.Ordinal);
        Assert.Contains("\"start\":\"18:00:00\"", json, StringComparison.Ordinal);
        var back = JsonSerializer.Deserialize(json, ProtocolJson.Default.EffectivePolicyResponse)!;
        Assert.Equal(PolicyDto.Default.Window, back.Policy.Window);
        Assert.Equal(PolicyDto.Default.Keep, back.Policy.Keep);
        Assert.Equal(PolicyDto.Default.Exclude, back.Policy.Exclude);
    }

    [Fact]
    public void Commit_request_round_trips()
    {
        var request = new CommitRequest(new string('a', 64), ["/home"], ["**/.cache"], DateTimeOffset.UnixEpoch, new SnapshotSummaryDto(1, 2, 3, 0));
        var json = JsonSerializer.Serialize(request, ProtocolJson.Default.CommitRequest);
        var back = JsonSerializer.Deserialize(json, ProtocolJson.Default.CommitRequest)!;
        Assert.Equal(request.Tree, back.Tree);
        Assert.Equal(request.Paths, back.Paths);
        Assert.Equal(request.Summary, back.Summary);
    }
}

public sealed class PolicyTests
{
    [Fact]
    public void Default_policy_is_the_windows_server_essentials_one()
    {
        var p = PolicyDto.Default;
        Assert.Equal(["/"], p.Include);
        Assert.Equal(new BackupWindow(new TimeOnly(18, 0), new TimeOnly(9, 0)), p.Window);
        Assert.Equal(new RetentionRule(5, 4, 6), p.Keep);
        Assert.Contains("/tmp", p.Exclude);
        Assert.Contains("/proc", p.Exclude);
        Assert.Contains("**/.cache", p.Exclude);
        Assert.Empty(p.Problems());
    }

    [Fact]
    public void Invalid_policies_name_each_problem()
    {
        var bad = PolicyDto.Default with
        {
            Include = ["relative"],
            Window = new BackupWindow(new TimeOnly(1, 0), new TimeOnly(1, 0)),
            Keep = new RetentionRule(0, 0, 0),
            Concurrency = 0,
        };
        var problems = bad.Problems();
        Assert.Contains(problems, p => p.Contains("absolute", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("window", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("keep", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("concurrency", StringComparison.Ordinal));
    }

    [Fact]
    public void A_policy_with_missing_members_from_json_is_invalid_not_a_crash()
    {
        var policy = JsonSerializer.Deserialize("{\"include\":null}", ProtocolJson.Default.PolicyDto)!;
        Assert.NotEmpty(policy.Problems());
    }
}

public sealed class CredentialTests
{
    [Fact]
    public void Tokens_are_told_apart_by_prefix_and_agent_credentials_name_their_pc()
    {
        var admin = Credentials.NewAdminToken();
        var agent = Credentials.NewAgentCredential("0123abcd");
        Assert.Equal(CredentialKind.AdminToken, Credentials.KindOf(admin));
        Assert.Equal(CredentialKind.AgentCredential, Credentials.KindOf(agent));
        Assert.Equal(CredentialKind.Unknown, Credentials.KindOf("Basic abc"));
        Assert.Equal("0123abcd", Credentials.PcIdOf(agent));
        Assert.Null(Credentials.PcIdOf("hagt_nounderscore"));
        Assert.Null(Credentials.PcIdOf(admin));
        Assert.NotEqual(Credentials.NewAdminToken(), admin);
    }

    [Fact]
    public void Codes_have_eight_groups_and_normalise_regardless_of_case_and_separators()
    {
        var code = Credentials.NewCode();
        Assert.Equal(8, code.Split('-').Length);
        Assert.DoesNotContain('0', code);
        Assert.DoesNotContain('O', code);
        Assert.Equal(Credentials.NormalizeCode(code), Credentials.NormalizeCode(code.ToLowerInvariant().Replace('-', ' ')));
    }

    [Fact]
    public void Hashes_are_stable_hex_and_compare_in_constant_time()
    {
        var h = Credentials.Hash("secret");
        Assert.Equal(64, h.Length);
        Assert.True(Credentials.HashesEqual(h, Credentials.Hash("secret")));
        Assert.False(Credentials.HashesEqual(h, Credentials.Hash("secreT")));
    }
}

public sealed class RouteTests
{
    [Fact]
    public void Format_fills_placeholders_in_order_and_escapes_values()
    {
        Assert.Equal("/api/v1/agent/sessions/s1/blobs/data/ab", Routes.Format(Routes.SessionBlob, "s1", "data", "ab"));
        Assert.Equal("/api/v1/pcs/a%2Fb", Routes.Format(Routes.Pc, "a/b"));
        Assert.Throws<ArgumentException>(() => Routes.Format(Routes.Pc));
        Assert.Throws<ArgumentException>(() => Routes.Format(Routes.Pc, "a", "b"));
    }

    [Fact]
    public void Every_route_is_under_the_version_prefix()
    {
        var routes = typeof(Routes).GetFields().Where(f => f.IsLiteral && f.Name != nameof(Routes.OpenApiDocument))
            .Select(f => (string)f.GetRawConstantValue()!);
        Assert.All(routes, r => Assert.StartsWith("/api/v" + ApiVersions.Current, r, StringComparison.Ordinal));
    }
}
