using System.Net;
using System.Net.Http.Json;
using Hort.Protocol;

namespace Hort.Agent.Tests.EndToEnd;

/// <summary>
/// The real hortd prepares a new certificate, a real agent learns it through its configuration, hortd switches, and
/// the agent follows; a certificate hortd never announced is refused.
/// </summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CertificateRotationEndToEndTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hort-rotation-").FullName;
    private Hortd _server = null!;
    private AgentProcess _agent = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await Hortd.StartAsync(Path.Combine(_root, "server"));

    public async ValueTask DisposeAsync()
    {
        if (_agent is not null) await _agent.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_root, true);
    }

    private string Diagnostics() => "server:\n" + _server.Output + "\nagent:\n" + _agent.Output;

    private AgentIdentity Pins() => new AgentState(_agent.State).LoadIdentity();

    /// <summary>Queues a backup and waits until the agent has run it (which it does only over a pinned connection).</summary>
    private async Task BackUpAsync()
    {
        var job = await _server.QueueBackupAsync(_agent.PcId);
        Assert.Equal(JobValues.Succeeded, (await _server.WaitForJobAsync(job.Id, Diagnostics)).State);
    }

    [Fact]
    public async Task An_agent_follows_an_announced_certificate_change_and_refuses_an_unannounced_one()
    {
        var source = SourceTree.Create(Path.Combine(_root, "data"), 0);
        _agent = new AgentProcess(Path.Combine(_root, "state"));
        await _agent.EnrollAsync(_server, await _server.EnrollmentCodeAsync("desk"));
        await _server.SetPolicyAsync(_agent.PcId, Hortd.Always(source));
        var first = _server.Fingerprint;
        _agent.Start();
        await BackUpAsync();
        Assert.Equal((first, (string?)null), (Pins().Fingerprint, Pins().NextFingerprint));

        // Prepared and announced: the agent keeps it as the next certificate once it has read its configuration again
        // (it does after every job).
        using var prepared = await _server.Admin.PostAsync(Routes.ServerCertificateNext, null, Ct);
        var next = (await prepared.Content.ReadFromJsonAsync(ProtocolJson.Default.ServerCertificateDto, Ct))!.NextFingerprint!;
        await BackUpAsync();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (Pins().NextFingerprint != next)
        {
            Assert.True(DateTime.UtcNow < deadline, "the agent did not save the announced certificate\n" + Diagnostics());
            await Task.Delay(100, Ct);
        }

        Assert.Equal(first, Pins().Fingerprint);

        // hortd switches; a restart drops the connections the agent holds, so it must connect to the new certificate.
        using (var switched = await _server.Admin.PostAsync(Routes.ServerCertificateSwitch, null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
        }

        await _server.CrashAndRestartAsync();
        Assert.Equal(next, _server.Fingerprint);
        await BackUpAsync();
        Assert.Equal((next, (string?)null), (Pins().Fingerprint, Pins().NextFingerprint));

        // A certificate hortd never announced (its certificate file replaced): the agent's client refuses the server.
        await _agent.StopAsync();
        File.Delete(Path.Combine(_server.DataDirectory, "server.pfx"));
        await _server.CrashAndRestartAsync();
        Assert.NotEqual(next, _server.Fingerprint);
        using (var client = ServerClient.For(new AgentState(_agent.State)))
        {
            await Assert.ThrowsAsync<HttpRequestException>(() => client.ConfigAsync(Ct));
        }

        Assert.Equal((next, (string?)null), (Pins().Fingerprint, Pins().NextFingerprint));
    }
}
