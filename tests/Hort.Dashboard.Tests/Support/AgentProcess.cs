using System.Text.Json;
using Hort.Agent.Tests.EndToEnd;

namespace Hort.Dashboard.Tests.Support;

/// <summary>One PC: a state folder, enrolled with <c>hort agent enroll</c>, running as <c>hort agent run</c>.</summary>
internal sealed class AgentProcess(string state) : IAsyncDisposable
{
    private ChildProcess? _run;

    public string PcId { get; private set; } = "";

    public string Output => _run?.Output ?? "";

    public async Task EnrollAsync(HortServer server, string code)
    {
        await using var enroll = ChildProcess.Start(Built.Hort,
            ["agent", "enroll", "--state", state, "--server", server.Address.ToString(), "--code", code, "--fingerprint", server.Fingerprint]);
        Assert.True(await enroll.WaitForExitAsync() == 0, enroll.Output);
        using var identity = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(state, "agent.json"), TestContext.Current.CancellationToken));
        PcId = identity.RootElement.GetProperty("pcId").GetString()!;
    }

    public void Start() => _run = ChildProcess.Start(Built.Hort, ["agent", "run", "--state", state]);

    public ValueTask DisposeAsync() => _run?.DisposeAsync() ?? ValueTask.CompletedTask;
}
