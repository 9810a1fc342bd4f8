using Hort.Protocol;

namespace Hort.Agent;

/// <summary>
/// Streams one job's progress (at most once per second, the latest value only) and log lines to the server, and
/// writes the same lines to the agent's own log. A report that fails is written locally; the job goes on — unless the
/// server answers that the job has ended (it was cancelled before this PC started it): then <paramref name="ended"/>
/// is called to stop it.
/// </summary>
internal sealed class JobReporter(ServerClient client, string jobId, TextWriter log, TimeProvider time, Action? ended = null) : IAsyncDisposable
{
    private readonly List<JobLogEntry> _pending = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private JobProgress? _latest;
    private Task? _loop;

    public string JobId => jobId;

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    public void Progress(JobProgress progress)
    {
        lock (_lock) _latest = progress;
    }

    public void Log(string level, string message)
    {
        var now = time.GetUtcNow();
        log.WriteLine($"{now:yyyy-MM-dd HH:mm:ss} job {jobId} {level}: {message}");
        lock (_lock) _pending.Add(new JobLogEntry(now, level, message.Length > 4000 ? message[..4000] : message));
    }

    /// <summary>Sends what is left, then the result; a job the server has already ended keeps its end.</summary>
    public async Task FinishAsync(JobResult result, CancellationToken ct)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        try
        {
            await SendAsync(ct).ConfigureAwait(false);
            await client.ResultAsync(jobId, result, ct).ConfigureAwait(false);
        }
        catch (ServerRefusedException e) when (e.Status == System.Net.HttpStatusCode.Conflict)
        {
            log.WriteLine($"{time.GetLocalNow():yyyy-MM-dd HH:mm:ss} job {jobId}: the server had already ended it");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct).ConfigureAwait(false);
                await SendAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ServerRefusedException e) when (e.Status == System.Net.HttpStatusCode.Conflict)
            {
                Log("info", "the server says this job has ended (cancelled); stopping it");
                ended?.Invoke();
                return;
            }
            catch (Exception e) when (e is HttpRequestException or AgentException)
            {
                log.WriteLine($"job {jobId}: could not report to the server: {e.Message}");
            }
        }
    }

    private async Task SendAsync(CancellationToken ct)
    {
        JobProgress? progress;
        List<JobLogEntry> entries;
        lock (_lock)
        {
            progress = _latest;
            _latest = null;
            entries = [.. _pending];
            _pending.Clear();
        }

        var sent = 0;
        try
        {
            if (progress is not null) await client.ProgressAsync(jobId, progress, ct).ConfigureAwait(false);
            for (; sent < entries.Count; sent += 1000)
            {
                await client.LogAsync(jobId, entries.Skip(sent).Take(1000).ToList(), ct).ConfigureAwait(false);
            }
        }
        catch
        {
            // Lines not yet delivered go out with the next report, in their order.
            lock (_lock) _pending.InsertRange(0, entries.Skip(sent));
            throw;
        }
    }
}
