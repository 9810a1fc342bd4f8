using System.Text.Json;

namespace Hort.Agent.Tests.EndToEnd;

/// <summary>One PC: its state folder, enrolled with <c>hort agent enroll</c>, running as <c>hort agent run</c>.</summary>
internal sealed class AgentProcess(string state) : IAsyncDisposable
{
    private ChildProcess? _run;

    public string State { get; } = state;

    public AgentIdentity Identity { get; private set; } = null!;

    public string PcId => Identity.PcId;

    public string Output => _run?.Output ?? "";

    public async Task EnrollAsync(Hortd server, string code)
    {
        await using var enroll = ChildProcess.Start("hort.dll",
            ["agent", "enroll", "--state", State, "--server", server.Address.ToString(), "--code", code, "--fingerprint", server.Fingerprint]);
        Assert.True(await enroll.WaitForExitAsync() == 0, enroll.Output);
        Identity = new AgentState(State).LoadIdentity();
    }

    public void Start() => _run = ChildProcess.Start("hort.dll", ["agent", "run", "--state", State]);

    public async Task StopAsync()
    {
        if (_run is not null) await _run.DisposeAsync();
        _run = null;
    }

    public ValueTask DisposeAsync() => _run?.DisposeAsync() ?? ValueTask.CompletedTask;
}
