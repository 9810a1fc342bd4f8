using Hort.Core;
using Hort.Engine.Browsing;
using Hort.Protocol;
using System.Text.Json;
using Hort.Repository;
using Hort.Server.Api;
using Hort.Server.Catalog;

namespace Hort.Server.Sessions;

/// <summary>
/// Checks a restore an administrator asks of a PC before it is queued (protocol.md §8): the snapshot must be that PC's,
/// every path must be absolute, free of <c>.</c> and <c>..</c> components and exist in the snapshot, and the target must
/// be a plain absolute folder. What is queued is the checked request with its paths in normal form.
/// Both the API and the dashboard queue restores through <see cref="QueueAsync"/>.
/// </summary>
public sealed class RestoreRequests(HortRepository repository, ServerCatalog catalog, CommandSignals signals, TimeProvider time)
{
    /// <summary>Most paths one restore may name.</summary>
    public const int MaxPaths = 1000;

    private const int MaxPathLength = 4096;

    /// <summary>The request to queue, or a <see cref="BadHttpRequestException"/> (400) or <see cref="NotFoundException"/> (404).</summary>
    public async Task<RestoreRequest> CheckAsync(string pcId, RestoreRequest request, CancellationToken ct)
    {
        if (request.SnapshotId is null) throw new BadHttpRequestException("snapshotId is required");
        var snapshot = await catalog.GetSnapshotAsync(request.SnapshotId, ct).ConfigureAwait(false);
        if (snapshot is null || snapshot.PcId != pcId || !ObjectId.TryParse(snapshot.Tree, out var root))
        {
            throw new NotFoundException($"PC {pcId} has no snapshot {request.SnapshotId}");
        }

        string? target = null;
        if (request.Target is { } t)
        {
            target = Normalize(t) ?? throw new BadHttpRequestException("target must be an absolute path without '.' or '..' components");
        }

        if (request.Paths is null or { Count: 0 }) return new RestoreRequest(snapshot.Id, null, target);
        if (request.Paths.Count > MaxPaths) throw new BadHttpRequestException($"paths may list at most {MaxPaths} paths");
        var paths = new List<string>(request.Paths.Count);
        var walker = new SnapshotWalker(repository);
        foreach (var path in request.Paths)
        {
            var normal = Normalize(path) ?? throw new BadHttpRequestException($"path '{path}' is not an absolute path without '.' or '..' components");
            if (!(await walker.FindAsync(root, normal, ct).ConfigureAwait(false)).Found)
            {
                throw new NotFoundException($"snapshot {snapshot.Id} has no path {normal}");
            }

            paths.Add(normal);
        }

        return new RestoreRequest(snapshot.Id, paths, target);
    }

    /// <summary>Checks the request (<see cref="CheckAsync"/>), queues the restore job for the PC and wakes its agent.</summary>
    public async Task<JobDto> QueueAsync(string pcId, RestoreRequest request, CancellationToken ct)
    {
        var checkedRequest = await CheckAsync(pcId, request, ct).ConfigureAwait(false);
        var job = new JobDto(Ids.New(), pcId, JobValues.Restore, JobValues.Queued, time.GetUtcNow(), null, null, checkedRequest.SnapshotId, null);
        await catalog.AddJobAsync(job, JsonSerializer.Serialize(checkedRequest, ProtocolJson.Default.RestoreRequest), ct).ConfigureAwait(false);
        signals.Pulse(pcId);
        return job;
    }

    /// <summary>"/a/b" for "/a//b/", or null for a relative path, a '.' or '..' component, a NUL or an overlong path.</summary>
    internal static string? Normalize(string? path)
    {
        if (path is null || !path.StartsWith('/') || path.Length > MaxPathLength || path.Contains('\0', StringComparison.Ordinal)) return null;
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Any(p => p is "." or "..") ? null : "/" + string.Join('/', parts);
    }
}
