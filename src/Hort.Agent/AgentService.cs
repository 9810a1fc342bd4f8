using System.Net;
using Hort.Core;
using Hort.Protocol;
using Hort.Repository.Chunking;

namespace Hort.Agent;

/// <summary>
/// The agent's main loop (<c>hort agent run</c>): it only ever connects out. Each round it refreshes the policy, resumes
/// a job an interruption left unfinished, starts a backup when the policy's window wants one, and otherwise waits for
/// commands by long poll. A server that cannot be reached is retried with growing pauses; nothing is lost, because a
/// resumed backup sends only what the server does not already hold.
/// </summary>
public sealed class AgentService(AgentState state, TextWriter log, TimeProvider time)
{
    /// <summary>Seconds one long poll waits for a command.</summary>
    public int PollSeconds { get; init; } = 30;

    private static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(30);

    public async Task RunAsync(CancellationToken ct)
    {
        var identity = state.LoadIdentity();
        using var client = ServerClient.For(identity);
        using var keys = KeysOf(identity.Dedup);
        Log($"agent for PC {identity.PcId} connecting to {identity.Server} (certificate {identity.Fingerprint})");
        DateTimeOffset? lastFailure = null;
        var pause = TimeSpan.FromSeconds(1);
        PolicyDto? shown = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var policy = (await client.ConfigAsync(ct).ConfigureAwait(false)).Policy;
                if (shown is null || !SamePolicy(shown, policy))
                {
                    Log($"policy: include {string.Join(' ', policy.Include)}; window {policy.Window.Start}–{policy.Window.End}");
                    shown = policy;
                }

                var progress = state.LoadProgress();
                if (progress.ActiveJobId is { } active)
                {
                    Log($"resuming job {active}");
                    lastFailure = await RunJobAsync(client, keys, policy, active, progress.ActiveJobKind ?? JobValues.Backup, progress.ActiveRestore, ct).ConfigureAwait(false);
                }
                else if (BackupSchedule.IsDue(policy.Window, time.GetUtcNow(), time.LocalTimeZone, progress.LastSuccess, lastFailure))
                {
                    var job = await client.CreateJobAsync(JobValues.Backup, ct).ConfigureAwait(false);
                    Log($"backup due by the policy's window; job {job.Id}");
                    lastFailure = await RunJobAsync(client, keys, policy, job.Id, JobValues.Backup, null, ct).ConfigureAwait(false);
                }
                else
                {
                    foreach (var command in await client.CommandsAsync(PollSeconds, ct).ConfigureAwait(false))
                    {
                        if (state.LoadProgress().HandledCommands.Contains(command.Id)) continue;
                        if (command.Kind is JobValues.Backup or JobValues.Restore && command.JobId is { } jobId)
                        {
                            Log($"command {command.Id}: {command.Kind}");
                            lastFailure = await RunJobAsync(client, keys, policy, jobId, command.Kind, command.Restore, ct).ConfigureAwait(false);
                        }
                        else
                        {
                            MarkHandled(command.Id, null);
                        }
                    }
                }

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

    /// <summary>Runs one job to its end and reports its result; returns the time of a failure, or null on success.</summary>
    /// <remarks>A transient failure propagates with the job still recorded as active, so it is resumed.</remarks>
    private async Task<DateTimeOffset?> RunJobAsync(ServerClient client, ChunkingKeys keys, PolicyDto policy, string jobId, string kind, RestoreRequest? restore, CancellationToken ct)
    {
        MarkActive(jobId, kind, restore);
        await using var reporter = new JobReporter(client, jobId, log, time);
        reporter.Start();
        try
        {
            if (kind == JobValues.Restore)
            {
                var request = restore ?? throw new AgentException($"restore job {jobId} came without a restore request");
                var result = await new RestoreJob(client, keys, request).RunAsync(reporter, ct).ConfigureAwait(false);
                await reporter.FinishAsync(new JobResult(result.Issues.Count == 0, null, result.Issues.Count,
                    $"restored {result.Files} files, {result.Bytes} bytes"), ct).ConfigureAwait(false);
                MarkDone(null);
                return null;
            }

            var snapshotId = await new BackupJob(client, keys, policy, Environment.MachineName, time).RunAsync(reporter, ct).ConfigureAwait(false);
            await reporter.FinishAsync(new JobResult(true, snapshotId, 0, "snapshot " + snapshotId), ct).ConfigureAwait(false);
            MarkDone(time.GetUtcNow());
            return null;
        }
        catch (Exception e) when (!ct.IsCancellationRequested && !IsTransient(e) && e is HortException or AgentException or IOException or UnauthorizedAccessException)
        {
            if (e is ServerRefusedException { Status: HttpStatusCode.Unauthorized }) throw;
            reporter.Log("error", e.Message);
            await reporter.FinishAsync(new JobResult(false, null, 1, e.Message), ct).ConfigureAwait(false);
            MarkDone(null);
            return time.GetUtcNow();
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
        var progress = state.LoadProgress();
        state.SaveProgress(progress with
        {
            ActiveJobId = jobId, ActiveJobKind = kind, ActiveRestore = restore, HandledCommands = Remember(progress.HandledCommands, jobId),
        });
    }

    private void MarkDone(DateTimeOffset? success)
    {
        var progress = state.LoadProgress();
        state.SaveProgress(progress with { ActiveJobId = null, ActiveJobKind = null, ActiveRestore = null, LastSuccess = success ?? progress.LastSuccess });
    }

    private void MarkHandled(string commandId, DateTimeOffset? success)
    {
        var progress = state.LoadProgress();
        state.SaveProgress(progress with { HandledCommands = Remember(progress.HandledCommands, commandId), LastSuccess = success ?? progress.LastSuccess });
    }

    private static List<string> Remember(IReadOnlyList<string> handled, string id) =>
        [.. handled.Append(id).TakeLast(AgentProgressState.RememberedCommands)];

    private void Log(string message) => log.WriteLine($"{time.GetLocalNow():yyyy-MM-dd HH:mm:ss} {message}");
}
