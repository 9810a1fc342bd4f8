using System.Collections.Concurrent;
using Hort.Protocol;

namespace Hort.Server.Jobs;

/// <summary>
/// The latest progress each running job's agent reported (files and bytes done, bytes in all), kept in memory only:
/// it changes every few seconds and is worthless once the job ends. The dashboard draws its progress bars from it.
/// </summary>
public sealed class JobProgressBoard
{
    private readonly ConcurrentDictionary<string, JobProgress> _latest = new(StringComparer.Ordinal);

    public void Report(string jobId, JobProgress progress) => _latest[jobId] = progress;

    /// <summary>The job ended: forget its progress.</summary>
    public void Ended(string jobId) => _latest.TryRemove(jobId, out _);

    public JobProgress? Latest(string jobId) => _latest.TryGetValue(jobId, out var p) ? p : null;
}
