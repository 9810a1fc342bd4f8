using System.Diagnostics;

namespace Hort.Cli.Tests.Support;

/// <summary>A hort process that is still running: wait for it, or kill it with SIGKILL.</summary>
internal sealed class RunningHort : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private volatile bool _killed;

    public RunningHort(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Sends SIGKILL to hort (and anything it started); returns false when it had already exited.</summary>
    public bool Kill()
    {
        if (_process.HasExited)
        {
            return false;
        }

        try
        {
            _process.Kill(entireProcessTree: true);
            _killed = true;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false; // exited between the check and the kill
        }
    }

    /// <summary>Waits for the process to end and returns what it printed.</summary>
    public async Task<HortResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            throw new TimeoutException($"hort did not finish within {timeout}: {await _stderr.ConfigureAwait(false)}");
        }

        var stdout = await _stdout.ConfigureAwait(false);
        var stderr = await _stderr.ConfigureAwait(false);
        return new HortResult(_process.ExitCode, stdout, stderr, _killed);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _process.Dispose();
    }
}
