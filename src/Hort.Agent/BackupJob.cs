using Hort.Core;
using Hort.Engine.Backup;
using Hort.Protocol;
using Hort.Repository.Chunking;
using Hort.Repository.Snapshots;

namespace Hort.Agent;

/// <summary>One backup of this PC through a server session, following the policy's paths and excludes.</summary>
internal sealed class BackupJob(ServerClient client, ChunkingKeys keys, PolicyDto policy, string hostname, TimeProvider time, RateLimit uploadLimit)
{
    /// <summary>The paths to back up: the policy's includes that exist on this PC.</summary>
    public static IReadOnlyList<string> Paths(PolicyDto policy) => [.. policy.Include.Where(p => Directory.Exists(p) || File.Exists(p))];

    /// <summary>The policy's excludes plus every virtual or network file system mounted below an included path.</summary>
    public static IReadOnlyList<string> Excludes(PolicyDto policy, IReadOnlyList<Mount> mounts) =>
        [.. policy.Exclude, .. MountTable.SkippedBelow(policy.Include, mounts)];

    /// <summary>Runs the backup and reports it; returns the snapshot ID. Transport failures propagate so the caller can retry.</summary>
    public async Task<string> RunAsync(JobReporter reporter, CancellationToken ct)
    {
        var paths = Paths(policy);
        if (paths.Count == 0) throw new AgentException("none of the policy's include paths exists on this PC: " + string.Join(", ", policy.Include));
        var excludes = Excludes(policy, MountTable.Read());
        var started = time.GetUtcNow();
        var session = await OpenSessionAsync(reporter, new SessionCreateRequest(reporter.JobId, paths, excludes, started), ct).ConfigureAwait(false);
        reporter.Log("info", session.Resumed
            ? $"resuming the open backup session {session.SessionId}; what is already on the server is not sent again"
            : $"backup session {session.SessionId} opened for {string.Join(' ', paths)}");

        var parent = await ParentAsync(paths, ct).ConfigureAwait(false);
        var target = new RemoteBackupTarget(client, session.SessionId, keys, time, uploadLimit);
        var progress = new Progress(reporter, target);
        var archiver = new Archiver(target, new BackupOptions { Paths = paths, Excludes = excludes, Hostname = hostname, Parent = parent }, progress);
        var result = await archiver.RunAsync(ct).ConfigureAwait(false);
        foreach (var issue in result.Issues) reporter.Log("warning", $"{issue.Path}: {issue.Message}");
        var summary = result.Snapshot.Summary;
        reporter.Log("info", $"snapshot {result.SnapshotId} committed: {summary?.Files} files, {summary?.TotalBytes} bytes, " +
            $"{target.BytesUploaded} bytes uploaded, {result.Issues.Count} problem(s)");
        return result.SnapshotId.ToString();
    }

    /// <summary>
    /// Opens (or resumes) the PC's session. While all of the server's backup slots are taken the server answers 503
    /// and shows the job as waiting; the agent asks again when the server says, until a slot frees.
    /// </summary>
    private async Task<SessionResponse> OpenSessionAsync(JobReporter reporter, SessionCreateRequest request, CancellationToken ct)
    {
        var waiting = false;
        while (true)
        {
            try
            {
                return await client.OpenSessionAsync(request, ct).ConfigureAwait(false);
            }
            catch (ServerRefusedException e) when (e.Status == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                if (!waiting) reporter.Log("info", "waiting for a free backup slot on the server: " + e.Message);
                waiting = true;
                await Task.Delay(e.RetryAfter ?? TimeSpan.FromSeconds(5), time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>This PC's newest snapshot of the same paths, so unchanged files are neither read nor sent again.</summary>
    private async Task<StoredSnapshot?> ParentAsync(IReadOnlyList<string> paths, CancellationToken ct)
    {
        var snapshots = await client.SnapshotsAsync(ct).ConfigureAwait(false);
        var latest = snapshots.Where(s => s.Paths.SequenceEqual(paths)).MaxBy(s => s.Time);
        return latest is null ? null : new StoredSnapshot(ObjectId.Parse(latest.Id), new Snapshot
        {
            Time = latest.Time, Tree = ObjectId.Parse(latest.Tree), Paths = latest.Paths, Hostname = latest.Hostname,
        });
    }

    private sealed class Progress(JobReporter reporter, RemoteBackupTarget target) : IProgress<BackupProgress>
    {
        public void Report(BackupProgress value) => reporter.Progress(new JobProgress(
            JobValues.Running, value.FilesDone, value.BytesDone, value.ScanFinished ? value.BytesTotal : null,
            $"{target.BytesUploaded} bytes uploaded" + (value.CurrentPath is { } p ? "; " + p : "")));
    }
}
