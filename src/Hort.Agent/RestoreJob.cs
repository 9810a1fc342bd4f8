using Hort.Core;
using Hort.Engine.Restore;
using Hort.Protocol;
using Hort.Repository.Chunking;
using Hort.Repository.Snapshots;

namespace Hort.Agent;

/// <summary>A restore the server asked for: one of this PC's snapshots (or some paths of it) to its original place or a folder.</summary>
internal sealed class RestoreJob(ServerClient client, ChunkingKeys keys, RestoreRequest request, RateLimit downloadLimit)
{
    /// <summary>Where a restore without a target goes: the original place (snapshot paths are absolute).</summary>
    public const string OriginalPlace = "/";

    public async Task<RestoreResult> RunAsync(JobReporter reporter, CancellationToken ct)
    {
        var snapshot = (await client.SnapshotsAsync(ct).ConfigureAwait(false)).FirstOrDefault(s => s.Id == request.SnapshotId)
            ?? throw new AgentException($"this PC has no snapshot {request.SnapshotId}");
        var target = request.Target ?? OriginalPlace;
        Directory.CreateDirectory(target);
        reporter.Log("info", $"restoring snapshot {snapshot.Id} ({string.Join(' ', request.Paths ?? ["everything"])}) into {target}");
        var stored = new StoredSnapshot(ObjectId.Parse(snapshot.Id), new Snapshot { Time = snapshot.Time, Tree = ObjectId.Parse(snapshot.Tree), Paths = snapshot.Paths });
        var source = new RemoteRestoreSource(client, keys, downloadLimit);
        var restorer = new Restorer(source, new RestoreOptions { Target = target, Includes = request.Paths ?? [] }, new Progress(reporter));
        var result = await restorer.RunAsync(stored, ct).ConfigureAwait(false);
        foreach (var issue in result.Issues) reporter.Log("warning", $"{issue.Path}: {issue.Message}");
        reporter.Log("info", $"restored {result.Files} files, {result.Directories} directories, {result.Bytes} bytes; {result.Issues.Count} problem(s)");
        return result;
    }

    private sealed class Progress(JobReporter reporter) : IProgress<RestoreProgress>
    {
        public void Report(RestoreProgress value) =>
            reporter.Progress(new JobProgress(JobValues.Running, value.FilesDone, value.BytesDone, value.BytesTotal, value.CurrentPath));
    }
}
