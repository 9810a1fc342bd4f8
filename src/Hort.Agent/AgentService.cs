using System.Net;
using Hort.Core;
using Hort.Protocol;
using Hort.Repository.Chunking;

namespace Hort.Agent;

/// <summary>
/// The agent's main loop (<c>hort agent run</c>): it only ever connects out. Each round it refreshes the policy, resumes
/// jobs an interruption left unfinished, starts a backup when the policy's window wants one, and waits for commands by
/// long poll. Up to the policy's <c>concurrency</c> jobs run at once, never two backups. A cancel command stops a
/// running job through its own cancellation token. A server that cannot be reached is retried with growing pauses;
/// nothing is lost, because a resumed backup sends only what the server does not already hold.
/// </summary>
public sealed class AgentService(AgentState state, TextWriter log, TimeProvider time)
{
    /// <summary>Seconds one long poll waits for a command.</summary>
    public int PollSeconds { get; init; } = 30;

    /// <summary>Average upload limit in bytes per second (<c>--limit-upload</c>); 0 for none.</summary>
    public long UploadBytesPerSecond { get; init; }

    /// <summary>Average limit on restore downloads in bytes per second (<c>--limit-download</c>); 0 for none.</summary>
    public long DownloadBytesPerSecond { get; init; }

    /// <summary>The limits of this run (set when it starts, from the two properties above), shared by all its jobs.</summary>
    private RateLimit _uploadLimit = RateLimit.None;

    private RateLimit _downloadLimit = RateLimit.None;

    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(30);

    /// <summary>How soon a command that had to wait for a free job place is looked at again, at the latest.</summary>
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(5);

    private readonly Lock _stateLock = new();

    /// <summary>The jobs running now, by job ID; touched only by the main loop.</summary>
    private readonly Dictionary<string, RunningJob> _running = new(StringComparer.Ordinal);

    private sealed record RunningJob(string Kind, Task<DateTimeOffset?> Task, CancellationTokenSource Cancel);

    public async Task RunAsync(CancellationToken ct)
    {
        var identity = state.LoadIdentity();
        using var client = ServerClient.For(state);
        using var keys = KeysOf(identity.Dedup);
        _uploadLimit = new RateLimit(UploadBytesPerSecond, time);
        _downloadLimit = new RateLimit(DownloadBytesPerSecond, time);
        Log($"agent for PC {identity.PcId} connecting to {identity.Server} (certificate {identity.Fingerprint})");
        DateTimeOffset? lastFailure = null;
        var pause = TimeSpan.FromSeconds(1);
        var jobPause = TimeSpan.FromSeconds(1);
        var resumeAt = DateTimeOffset.MinValue;
        PolicyDto? shown = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    var policy = (await client.ConfigAsync(ct).ConfigureAwait(false)).Policy;
                    if (shown is null || !SamePolicy(shown, policy))
                    {
                        Log($"policy: include {string.Join(' ', policy.Include)}; window {policy.Window.Start}–{policy.Window.End}; {policy.Concurrency} job(s) at a time");
                        shown = policy;
                    }

                    foreach (var (jobId, job) in _running.Where(r => r.Value.Task.IsCompleted).ToList())
                    {
                        _running.Remove(jobId);
                        job.Cancel.Dispose();
                        try
                        {
                            var failed = await job.Task.ConfigureAwait(false);
                            if (job.Kind == JobValues.Backup) lastFailure = failed;
                            if (failed is null) jobPause = TimeSpan.FromSeconds(1);
                        }
                        catch (Exception e) when (!ct.IsCancellationRequested && IsTransient(e))
                        {
                            Log($"job {jobId} interrupted ({Innermost(e)}); resuming it in {jobPause.TotalSeconds:0} s");
                            resumeAt = time.GetUtcNow() + jobPause;
                            jobPause = TimeSpan.FromTicks(Math.Min(jobPause.Ticks * 2, MaxPause.Ticks));
                        }
                    }

                    var progress = state.LoadProgress();
                    if (time.GetUtcNow() >= resumeAt)
                    {
                        foreach (var active in progress.ActiveJobs.Where(j => !_running.ContainsKey(j.JobId) && CanStart(j.Kind, policy)))
                        {
                            Log($"resuming job {active.JobId}");
                            Start(client, keys, policy, active.JobId, active.Kind, active.Restore, ct);
                        }
                    }

                    if (CanStart(JobValues.Backup, policy) && !progress.ActiveJobs.Any(j => j.Kind == JobValues.Backup)
                        && BackupSchedule.IsDue(policy.Window, time.GetUtcNow(), time.LocalTimeZone, progress.LastSuccess, lastFailure))
                    {
                        var job = await client.CreateJobAsync(JobValues.Backup, ct).ConfigureAwait(false);
                        Log($"backup due by the policy's window; job {job.Id}");
                        Start(client, keys, policy, job.Id, JobValues.Backup, null, ct);
                    }

                    var commands = await client.CommandsAsync(PollSeconds, ct).ConfigureAwait(false);
                    var acted = false;
                    foreach (var command in commands)
                    {
                        if (command.Kind == JobValues.Cancel)
                        {
                            if (command.JobId is { } cancelled) acted |= await CancelAsync(client, cancelled, ct).ConfigureAwait(false);
                        }
                        else if (state.LoadProgress().HandledCommands.Contains(command.Id))
                        {
                            // Already running or done here; the server repeats it until the job reports.
                        }
                        else if (command.Kind is JobValues.Backup or JobValues.Restore && command.JobId is { } jobId)
                        {
                            // A job without a free place stays queued on the server and comes again.
                            if (!CanStart(command.Kind, policy)) continue;
                            Log($"command {command.Id}: {command.Kind}");
                            Start(client, keys, policy, jobId, command.Kind, command.Restore, ct);
                            acted = true;
                        }
                        else
                        {
                            MarkHandled(command.Id);
                            acted = true;
                        }
                    }

                    // Commands that could not be acted on come back at once; look again when a job ends or a little later.
                    if (commands.Count > 0 && !acted) await Task.WhenAny(_running.Values.Select(r => (Task)r.Task).Append(Task.Delay(Recheck, time, ct))).ConfigureAwait(false);
                    pause = TimeSpan.FromSeconds(1);
                }
                catch (Exception e) when (!ct.IsCancellationRequested && IsTransient(e))
                {
                    Log($"server not reachable or busy ({Innermost(e)}); retrying in {pause.TotalSeconds:0} s");
                    await Task.Delay(pause, time, ct).ConfigureAwait(false);
                    pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, MaxPause.Ticks));
                }
            }
        }
        finally
        {
            // Stopping: running jobs end with the same token and stay recorded, so the next start resumes them.
            if (ct.IsCancellationRequested)
            {
                foreach (var job in _running.Values) await ((Task)job.Task).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>A job may start when fewer than the policy's <c>concurrency</c> run and, for a backup, no other backup runs.</summary>
    private bool CanStart(string kind, PolicyDto policy) =>
        _running.Count < Math.Max(1, policy.Concurrency) && (kind != JobValues.Backup || !_running.Values.Any(r => r.Kind == JobValues.Backup));

    private void Start(ServerClient client, ChunkingKeys keys, PolicyDto policy, string jobId, string kind, RestoreRequest? restore, CancellationToken ct)
    {
        MarkActive(jobId, kind, restore);
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _running[jobId] = new RunningJob(kind, Task.Run(() => RunJobAsync(client, keys, policy, jobId, kind, restore, cancel, ct), CancellationToken.None), cancel);
    }

    /// <summary>
    /// A cancel command: a running job is stopped through its token (it then reports itself cancelled); a job this PC
    /// remembers but is not running, or never saw, is reported cancelled at once. True when something was done.
    /// </summary>
    private async Task<bool> CancelAsync(ServerClient client, string jobId, CancellationToken ct)
    {
        if (_running.TryGetValue(jobId, out var running))
        {
            if (running.Cancel.IsCancellationRequested || running.Task.IsCompleted) return false;
            Log($"job {jobId}: cancelled by the administrator; stopping it");
            await running.Cancel.CancelAsync().ConfigureAwait(false);
            return true;
        }

        MarkDone(jobId, null);
        try
        {
            await client.ResultAsync(jobId, new JobResult(false, null, 0, "cancelled before it ran on this PC", Cancelled: true), ct).ConfigureAwait(false);
            Log($"job {jobId}: cancelled before it ran on this PC");
        }
        catch (ServerRefusedException e) when (e.Status is System.Net.HttpStatusCode.Conflict or System.Net.HttpStatusCode.NotFound)
        {
            // It has ended already.
        }

        return true;
    }

    /// <summary>Runs one job to its end and reports its result; returns the time of a failure, or null on success or cancel.</summary>
    /// <remarks>A transient failure propagates with the job still recorded as active, so it is resumed.</remarks>
    private async Task<DateTimeOffset?> RunJobAsync(ServerClient client, ChunkingKeys keys, PolicyDto policy, string jobId, string kind,
        RestoreRequest? restore, CancellationTokenSource cancel, CancellationToken stopping)
    {
        var ct = cancel.Token;
        await using var reporter = new JobReporter(client, jobId, log, time, () => cancel.Cancel());
        reporter.Start();
        try
        {
            if (!await AcknowledgeAsync(client, jobId, ct).ConfigureAwait(false))
            {
                Log($"job {jobId} ended on the server before it started here (cancelled)");
                MarkDone(jobId, null);
                return null;
            }

            if (kind == JobValues.Restore)
            {
                var request = restore ?? throw new AgentException($"restore job {jobId} came without a restore request");
                var result = await new RestoreJob(client, keys, request, _downloadLimit).RunAsync(reporter, ct).ConfigureAwait(false);
                await reporter.FinishAsync(new JobResult(result.Issues.Count == 0, null, result.Issues.Count,
                    $"restored {result.Files} files, {result.Bytes} bytes"), stopping).ConfigureAwait(false);
                MarkDone(jobId, null);
                return null;
            }

            var snapshotId = await new BackupJob(client, keys, policy, Environment.MachineName, time, _uploadLimit).RunAsync(reporter, ct).ConfigureAwait(false);
            await reporter.FinishAsync(new JobResult(true, snapshotId, 0, "snapshot " + snapshotId), stopping).ConfigureAwait(false);
            MarkDone(jobId, time.GetUtcNow());
            return null;
        }
        catch (Exception e) when (cancel.IsCancellationRequested && !stopping.IsCancellationRequested && e is not ServerRefusedException { Status: HttpStatusCode.Unauthorized })
        {
            // However the stop surfaced (cancelled wait, failed upload of a closed session), the job was cancelled.
            reporter.Log("info", kind == JobValues.Restore
                ? "restore cancelled: nothing more is written; files restored so far stay"
                : "backup cancelled: no snapshot was committed; what was uploaded stays on the server for the next backup");
            await reporter.FinishAsync(new JobResult(false, null, 0, "cancelled", Cancelled: true), stopping).ConfigureAwait(false);
            MarkDone(jobId, null);
            return null;
        }
        catch (Exception e) when (!stopping.IsCancellationRequested && !IsTransient(e) && e is HortException or AgentException or IOException or UnauthorizedAccessException)
        {
            if (e is ServerRefusedException { Status: HttpStatusCode.Unauthorized }) throw;
            // A job cancelled on the server may fail before the cancel command arrives (its session was closed under
            // it); the server ends it as cancelled all the same.
            reporter.Log("error", e.Message);
            await reporter.FinishAsync(new JobResult(false, null, 1, e.Message), stopping).ConfigureAwait(false);
            MarkDone(jobId, null);
            return time.GetUtcNow();
        }
    }

    /// <summary>
    /// Reports the job running before any work, so a cancel from now on reaches it as a started job (its backup session
    /// is then closed by the server); false when the server has already ended it.
    /// </summary>
    private static async Task<bool> AcknowledgeAsync(ServerClient client, string jobId, CancellationToken ct)
    {
        try
        {
            await client.ProgressAsync(jobId, new JobProgress(JobValues.Running, 0, 0, null, "started on the PC"), ct).ConfigureAwait(false);
            return true;
        }
        catch (ServerRefusedException e) when (e.Status is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Worth retrying: the server could not be reached, timed out, or answered that it is busy or full.</summary>
    internal static bool IsTransient(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is HttpRequestException or TimeoutException || x is ServerRefusedException { IsTransient: true }) return true;
            if (x is TaskCanceledException) return true;
            if (x is IOException && x.InnerException is System.Net.Sockets.SocketException) return true;
        }

        return false;
    }

    private static string Innermost(Exception e)
    {
        var x = e;
        while (x.InnerException is not null) x = x.InnerException;
        return x.Message;
    }

    private static bool SamePolicy(PolicyDto a, PolicyDto b) =>
        a.Include.SequenceEqual(b.Include) && a.Exclude.SequenceEqual(b.Exclude) && a.Window == b.Window && a.Keep == b.Keep && a.Concurrency == b.Concurrency;

    /// <summary>Splits and names content like the server's repository, from the keys received at enrollment.</summary>
    public static ChunkingKeys KeysOf(DedupKeys dedup) =>
        new(dedup.ChunkIdKey, dedup.ChunkerKey, new ChunkerParameters(dedup.Chunker.MinSize, dedup.Chunker.AverageSize, dedup.Chunker.MaxSize));

    private void MarkActive(string jobId, string kind, RestoreRequest? restore)
    {
        lock (_stateLock)
        {
            var progress = state.LoadProgress();
            state.SaveProgress(progress with
            {
                ActiveJobs = [.. progress.ActiveJobs.Where(j => j.JobId != jobId), new ActiveJob(jobId, kind, restore)],
                HandledCommands = Remember(progress.HandledCommands, jobId),
            });
        }
    }

    private void MarkDone(string jobId, DateTimeOffset? success)
    {
        lock (_stateLock)
        {
            var progress = state.LoadProgress();
            state.SaveProgress(progress with { ActiveJobs = [.. progress.ActiveJobs.Where(j => j.JobId != jobId)], LastSuccess = success ?? progress.LastSuccess });
        }
    }

    private void MarkHandled(string commandId)
    {
        lock (_stateLock)
        {
            var progress = state.LoadProgress();
            state.SaveProgress(progress with { HandledCommands = Remember(progress.HandledCommands, commandId) });
        }
    }

    private static List<string> Remember(IReadOnlyList<string> handled, string id) =>
        [.. handled.Append(id).TakeLast(AgentProgressState.RememberedCommands)];

    private void Log(string message) => log.WriteLine($"{time.GetLocalNow():yyyy-MM-dd HH:mm:ss} {message}");
}
