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
        var (exitCode, output) = await TryEnrollAsync(server, code, server.Fingerprint);
        Assert.True(exitCode == 0, output);
        Identity = new AgentState(State).LoadIdentity();
    }

    /// <summary>Runs <c>hort agent enroll</c> pinning <paramref name="fingerprint"/>; returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> TryEnrollAsync(Hortd server, string code, string fingerprint)
    {
        await using var enroll = ChildProcess.Start("hort.dll",
            ["agent", "enroll", "--state", State, "--server", server.Address.ToString(), "--code", code, "--fingerprint", fingerprint]);
        var exitCode = await enroll.WaitForExitAsync();
        return (exitCode, enroll.Output);
    }

    public void Start() => _run = ChildProcess.Start("hort.dll", ["agent", "run", "--state", State]);

    public async Task StopAsync()
    {
        if (_run is not null) await _run.DisposeAsync();
        _run = null;
    }

    public ValueTask DisposeAsync() => _run?.DisposeAsync() ?? ValueTask.CompletedTask;
}
