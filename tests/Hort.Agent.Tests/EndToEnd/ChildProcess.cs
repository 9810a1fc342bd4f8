using System.Diagnostics;
using System.Text;

namespace Hort.Agent.Tests.EndToEnd;

/// <summary>
/// A real child process (<c>dotnet X.dll …</c>, or a native program) whose output is collected for assertions and
/// failure messages.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Lock _lock = new();

    private ChildProcess(Process process) => _process = process;

    /// <summary>
    /// The hort program the tests run: the native build that <c>HORT_TEST_PROGRAM</c> names (scripts/test.sh publishes
    /// hort as it ships, with Native AOT, and sets it), else <paramref name="dll"/>, the JIT build.
    /// </summary>
    public static string Hort(string dll) =>
        Environment.GetEnvironmentVariable("HORT_TEST_PROGRAM") is { Length: > 0 } native ? native : dll;

    /// <summary>Starts <paramref name="program"/>: a .dll (relative to the test binaries, or absolute) under dotnet, anything else directly.</summary>
    public static ChildProcess Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var path = Path.Combine(AppContext.BaseDirectory, program);
        var isDll = path.EndsWith(".dll", StringComparison.Ordinal);
        var info = new ProcessStartInfo(isDll ? "dotnet" : path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (isDll) info.ArgumentList.Add(path);
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;
        var child = new ChildProcess(new Process { StartInfo = info });
        child._process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    public string Output
    {
        get
        {
            lock (_lock) return _output.ToString();
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits until the output contains a match of <paramref name="pattern"/>; returns its first group.</summary>
    public async Task<string> WaitForAsync(System.Text.RegularExpressions.Regex pattern, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (pattern.Match(Output) is { Success: true } match) return match.Groups[1].Value;
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"'{pattern}' did not appear (exited: {_process.HasExited}); output:\n{Output}");
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        await _process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no chance to flush or clean up, as in a crash or power loss.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_lock) _output.AppendLine(line);
    }
}
