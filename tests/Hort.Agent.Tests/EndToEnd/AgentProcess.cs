using System.Text.Json;

namespace Hort.Agent.Tests.EndToEnd;

/// <summary>One PC: its state folder, enrolled with <c>hort agent enroll</c>, running as <c>hort agent run</c>.</summary>
internal sealed class AgentProcess(string state) : IAsyncDisposable
{
    private ChildProcess? _run;

    public string State { get; } = state;

    public AgentIdentity Identity { get; private set; } = null!;

    public string PcId => Identity.PcId;

    private string _earlier = "";

    public string Output => _earlier + (_run?.Output ?? "");

    public async Task EnrollAsync(Hortd server, string code)
    {
        var (exitCode, output) = await TryEnrollAsync(server, code, server.Fingerprint);
        Assert.True(exitCode == 0, output);
        Identity = new AgentState(State).LoadIdentity();
    }

    /// <summary>Runs <c>hort agent enroll</c> pinning <paramref name="fingerprint"/>; returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> TryEnrollAsync(Hortd server, string code, string fingerprint)
    {
        await using var enroll = ChildProcess.Start(ChildProcess.Hort("hort.dll"),
            ["agent", "enroll", "--state", State, "--server", server.Address.ToString(), "--code", code, "--fingerprint", fingerprint]);
        var exitCode = await enroll.WaitForExitAsync();
        return (exitCode, enroll.Output);
    }

    /// <summary>Starts <c>hort agent run</c> with <paramref name="options"/>; the output of an earlier run stays readable in <see cref="Output"/>.</summary>
    public void Start(params string[] options)
    {
        _earlier += _run?.Output ?? "";
        _run = ChildProcess.Start(ChildProcess.Hort("hort.dll"), ["agent", "run", "--state", State, .. options]);
    }

    /// <summary><c>hort agent status</c>'s output.</summary>
    public async Task<string> StatusAsync()
    {
        await using var status = ChildProcess.Start(ChildProcess.Hort("hort.dll"), ["agent", "status", "--state", State]);
        Assert.True(await status.WaitForExitAsync() == 0, status.Output);
        return status.Output;
    }

    public async Task StopAsync()
    {
        if (_run is null) return;
        _earlier += _run.Output;
        await _run.DisposeAsync();
        _run = null;
    }

    /// <summary>kill -9 of the agent, as a crash or power loss of the PC.</summary>
    public async Task KillAsync()
    {
        if (_run is not null) await _run.KillAsync();
    }

    public ValueTask DisposeAsync() => _run?.DisposeAsync() ?? ValueTask.CompletedTask;
}
