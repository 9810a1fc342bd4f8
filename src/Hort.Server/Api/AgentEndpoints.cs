using System.Text.Json;
using Hort.Core;
using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Server.Catalog;
using Hort.Server.Hosting;
using Hort.Server.Jobs;
using Hort.Server.Maintenance;
using Hort.Server.Security;
using Hort.Server.Sessions;

namespace Hort.Server.Api;

/// <summary>
/// Routes for agent credentials: configuration, commands (long poll), job reports and the PC's own snapshots.
/// The PC is always the credential's; a job or snapshot of another PC is answered as if it did not exist.
/// </summary>
internal static class AgentEndpoints
{
    private const int MaxWaitSeconds = 60;
    private const int MaxLogEntries = 1000;
    private const int MaxMessage = 4096;

    public static void Map(RouteGroupBuilder agent)
    {
        agent.MapGet(Routes.AgentConfig, ConfigAsync).WithTags("Agent");
        agent.MapGet(Routes.AgentCommands, CommandsAsync).WithTags("Agent");
        agent.MapPost(Routes.AgentJobProgress, ProgressAsync).WithTags("Agent");
        agent.MapPost(Routes.AgentJobLog, LogAsync).WithTags("Agent");
        agent.MapPost(Routes.AgentJobResult, ResultAsync).WithTags("Agent");
        agent.MapGet(Routes.AgentSnapshots, SnapshotsAsync).WithTags("Agent");
        agent.MapPost(Routes.AgentJobs, CreateJobAsync).WithTags("Agent");
        agent.MapGet(Routes.AgentBlob, BlobAsync).WithTags("Agent");
        agent.MapPost(Routes.AgentBlobSizes, BlobSizesAsync).WithTags("Agent");
        agent.MapPost(Routes.AgentBlobRead, ReadBlobsAsync).WithTags("Agent").Produces(StatusCodes.Status200OK, contentType: BlobFrameHeader.MediaType);
    }

    /// <summary>A backup the agent starts on its own (its window opened, or it catches up after being off).</summary>
    private static async Task<IResult> CreateJobAsync(AgentJobCreateRequest request, HttpContext context, ServerCatalog catalog, TimeProvider time, CancellationToken ct)
    {
        if (request.Kind != JobValues.Backup) return ApiProblems.BadRequest("an agent may only start backup jobs");
        var now = time.GetUtcNow();
        var job = new JobDto(Ids.New(), context.User.PcId(), JobValues.Backup, JobValues.Running, now, now, null, null, "started by the agent");
        await catalog.AddJobAsync(job, null, ct).ConfigureAwait(false);
        return Results.Created(Routes.Format(Routes.Job, job.Id), job);
    }

    /// <summary>A blob for a restore: only one in this PC's known set, stored as the type asked for.</summary>
    private static async Task<IResult> BlobAsync(string blobType, string blobId, HttpContext context, ServerCatalog catalog, HortRepository repository, CancellationToken ct)
    {
        if (!BlobTypeNames.TryParse(blobType, out var type) || !ObjectId.TryParse(blobId, out var id)
            || (await ReadableAsync(type, [id], context, catalog, repository, ct).ConfigureAwait(false))[0].Location is null)
        {
            return ApiProblems.NotFound($"there is no {blobType} blob {blobId}");
        }

        // A blob is sent in the form it is stored: a compressed one as its zstd frame to a reader that takes zstd (the
        // agent checks it against its ID after decompressing), everything else as plaintext, verified here. Nothing is
        // compressed for the answer: what is stored raw did not compress when it was saved.
        if (context.Request.Headers.AcceptEncoding.ToString().Contains(SessionValues.ZstdEncoding, StringComparison.OrdinalIgnoreCase))
        {
            var (content, compression) = await repository.LoadStoredBlobAsync(type, id, ct).ConfigureAwait(false);
            if (compression == CompressionKind.Zstd)
            {
                context.Response.Headers.ContentEncoding = SessionValues.ZstdEncoding;
            }

            return Results.Bytes(content, "application/octet-stream");
        }

        return Results.Bytes(await repository.LoadBlobAsync(type, id, ct).ConfigureAwait(false), "application/octet-stream");
    }

    /// <summary>The plaintext length of each blob this PC may read, null for the others: how a restore plans its writes.</summary>
    private static async Task<IResult> BlobSizesAsync(BlobBatchRequest request, HttpContext context, ServerCatalog catalog, HortRepository repository, CancellationToken ct)
    {
        if (ParseBatch(request) is not var (type, ids)) return BadBatch();
        var readable = await ReadableAsync(type, ids, context, catalog, repository, ct).ConfigureAwait(false);
        return Results.Ok(new BlobSizesResponse([.. readable.Select(r => r.Location is { } at ? (long?)at.Entry.RawLength : null)]));
    }

    /// <summary>
    /// Many blobs of one type in one answer, as frames (<see cref="BlobFrameHeader"/>): each distinct requested ID once,
    /// in the order they lie in the packs. A blob goes in the form it is stored, as <see cref="BlobAsync"/> sends it to
    /// a reader that takes zstd; one this PC may not read, or that cannot be read here, as a frame saying why.
    /// </summary>
    private static async Task<IResult> ReadBlobsAsync(BlobBatchRequest request, HttpContext context, ServerCatalog catalog, HortRepository repository, CancellationToken ct)
    {
        if (ParseBatch(request) is not var (type, ids)) return BadBatch();
        var readable = await ReadableAsync(type, ids, context, catalog, repository, ct).ConfigureAwait(false);
        var order = readable
            .DistinctBy(r => r.Id)
            .OrderBy(r => r.Location is null ? 0 : 1)
            .ThenBy(r => r.Location?.PackId)
            .ThenBy(r => r.Location?.Entry.Offset)
            .ToList();
        return Results.Stream(body => WriteFramesAsync(body, type, order, repository, ct), BlobFrameHeader.MediaType);
    }

    private static async Task WriteFramesAsync(Stream body, BlobType type, List<(ObjectId Id, BlobLocation? Location)> order, HortRepository repository, CancellationToken ct)
    {
        var output = new BufferedStream(body, 256 * 1024);
        await using (output.ConfigureAwait(false))
        {
            var header = new byte[BlobFrameHeader.Size];
            var name = BlobTypeNames.Of(type);
            foreach (var (id, location) in order)
            {
                byte[] content;
                BlobFrameForm form;
                var plaintext = 0;
                if (location is not { } at)
                {
                    (content, form) = (System.Text.Encoding.UTF8.GetBytes($"there is no {name} blob {id}"), BlobFrameForm.Unreadable);
                }
                else
                {
                    try
                    {
                        var (stored, compression) = await repository.LoadStoredBlobAsync(type, id, ct).ConfigureAwait(false);
                        (content, form) = (stored, compression == CompressionKind.Zstd ? BlobFrameForm.Zstd : BlobFrameForm.Plain);
                        plaintext = (int)at.Entry.RawLength;
                    }
                    catch (Exception e) when (e is RepositoryCorruptException or IOException or UnauthorizedAccessException)
                    {
                        (content, form) = (System.Text.Encoding.UTF8.GetBytes($"{name} blob {id} cannot be read on the server: {e.Message}"), BlobFrameForm.Unreadable);
                    }
                }

                new BlobFrameHeader(id, form, plaintext, content.Length).Write(header);
                await output.WriteAsync(header, ct).ConfigureAwait(false);
                await output.WriteAsync(content, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The type and IDs of a batch request, or null for an unknown type, an ID that is not one, or too many IDs.</summary>
    private static (BlobType Type, List<ObjectId> Ids)? ParseBatch(BlobBatchRequest request)
    {
        var type = BlobType.Data;
        if ((request.Type is not null && !BlobTypeNames.TryParse(request.Type, out type)) || request.Ids is null || request.Ids.Count > BlobBatchRequest.MaxIds) return null;
        var ids = new List<ObjectId>(request.Ids.Count);
        foreach (var text in request.Ids)
        {
            if (!ObjectId.TryParse(text, out var id)) return null;
            ids.Add(id);
        }

        return (type, ids);
    }

    private static IResult BadBatch() => ApiProblems.BadRequest(
        $"type must be {SessionValues.Data} or {SessionValues.Tree}, and ids must list at most {BlobBatchRequest.MaxIds} blob IDs (64 hex digits each)");

    /// <summary>Each ID with its location when this PC may read it as a blob of <paramref name="type"/> (in its known set, stored as that type), else null.</summary>
    private static async Task<List<(ObjectId Id, BlobLocation? Location)>> ReadableAsync(
        BlobType type, List<ObjectId> ids, HttpContext context, ServerCatalog catalog, HortRepository repository, CancellationToken ct)
    {
        var known = await catalog.KnownBlobsAsync(context.User.PcId(), [.. ids.Select(id => id.ToString())], ct).ConfigureAwait(false);
        var result = new List<(ObjectId, BlobLocation?)>(ids.Count);
        foreach (var id in ids)
        {
            BlobLocation? readable = known.Contains(id.ToString()) && repository.Index.TryGet(id, out var location) && location.Entry.Type == type
                ? location
                : null;
            result.Add((id, readable));
        }

        return result;
    }

    /// <summary>The PC's policy and dedup keys, and the next server certificate while a change is prepared.</summary>
    private static async Task<AgentConfigResponse> ConfigAsync(HttpContext context, ServerCatalog catalog, HortRepository repository, ServerCertificates certificates, CancellationToken ct)
    {
        var pc = await PcEndpoints.FindAsync(catalog, context.User.PcId(), ct).ConfigureAwait(false);
        var policy = await PolicyEndpoints.EffectiveAsync(catalog, pc, ct).ConfigureAwait(false);
        return new AgentConfigResponse(pc.Id, pc.Name, policy.Policy, EnrollmentEndpoints.DedupKeysOf(repository), certificates.NextFingerprint);
    }

    /// <summary>
    /// Queued jobs of this PC as commands; waits up to <paramref name="wait"/> seconds for one to appear, woken by
    /// <see cref="CommandSignals"/> when one is queued here and re-reading the catalog every 15 seconds regardless.
    /// A change of the PC's policy ends the wait with no commands, so the agent fetches its configuration again.
    /// </summary>
    private static async Task<IResult> CommandsAsync(int? wait, HttpContext context, ServerCatalog catalog, CommandSignals signals, TimeProvider time, CancellationToken ct)
    {
        var seconds = Math.Clamp(wait ?? 0, 0, MaxWaitSeconds);
        var pcId = context.User.PcId();
        var deadline = time.GetUtcNow().AddSeconds(seconds);
        var policyChanges = signals.PolicyChanges(pcId);
        while (true)
        {
            var signal = signals.Current(pcId);
            var queued = (await catalog.ListJobsAsync(pcId, 100, ct).ConfigureAwait(false)).Where(j => j.State is JobValues.Queued or JobValues.Cancelling).ToList();
            if (queued.Count > 0)
            {
                var commands = new List<AgentCommand>();
                foreach (var job in queued)
                {
                    if (job.State == JobValues.Cancelling)
                    {
                        commands.Add(new AgentCommand(job.Id + "-" + JobValues.Cancel, JobValues.Cancel, job.Id, null, null));
                        continue;
                    }

                    var restore = job.Kind == JobValues.Restore && await catalog.JobPayloadAsync(job.Id, ct).ConfigureAwait(false) is { } json
                        ? JsonSerializer.Deserialize(json, ProtocolJson.Default.RestoreRequest)
                        : null;
                    commands.Add(new AgentCommand(job.Id, job.Kind, job.Id, null, restore));
                }

                return Results.Ok(commands);
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero || signals.PolicyChanges(pcId) != policyChanges) return Results.NoContent();
            await signals.WaitAsync(signal, left < CommandSignals.SafetyReread ? left : CommandSignals.SafetyReread, ct).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> ProgressAsync(string jobId, JobProgress progress, HttpContext context, ServerCatalog catalog, JobProgressBoard board, TimeProvider time, CancellationToken ct)
    {
        var job = await OwnJobAsync(context, catalog, jobId, ct).ConfigureAwait(false);
        if (progress.State is not (JobValues.Running or JobValues.Queued)) return ApiProblems.BadRequest("state must be 'running' (use …/result to end a job)");
        if (progress.Message is { Length: > MaxMessage }) return ApiProblems.BadRequest($"message has more than {MaxMessage} characters");
        if (job.Finished is not null || !await catalog.UpdateJobAsync(jobId, JobValues.Running, time.GetUtcNow(), null, progress.Message, ct).ConfigureAwait(false))
        {
            return ApiProblems.Conflict("the job has ended");
        }

        board.Report(jobId, progress);
        return Results.NoContent();
    }

    private static async Task<IResult> LogAsync(string jobId, IReadOnlyList<JobLogEntry> entries, HttpContext context, ServerCatalog catalog, CancellationToken ct)
    {
        await OwnJobAsync(context, catalog, jobId, ct).ConfigureAwait(false);
        if (entries.Count > MaxLogEntries || entries.Any(e => e is null || e.Message is null || e.Message.Length > MaxMessage || e.Level is null or { Length: > 16 }))
        {
            return ApiProblems.BadRequest($"at most {MaxLogEntries} entries, each with a level and a message of at most {MaxMessage} characters");
        }

        await catalog.AddJobLogAsync(jobId, entries, ct).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> ResultAsync(string jobId, JobResult result, HttpContext context, ServerCatalog catalog, AlertRaiser alerts, JobProgressBoard board, TimeProvider time, CancellationToken ct)
    {
        var job = await OwnJobAsync(context, catalog, jobId, ct).ConfigureAwait(false);
        if (job.Finished is not null) return ApiProblems.Conflict("the job has ended");
        if (result.Message is { Length: > MaxMessage }) return ApiProblems.BadRequest($"message has more than {MaxMessage} characters");
        string? snapshotId = null;
        if (result.SnapshotId is not null)
        {
            // Only a snapshot this PC committed may be named as a job's result.
            var snapshot = await catalog.GetSnapshotAsync(result.SnapshotId, ct).ConfigureAwait(false);
            if (snapshot is null || snapshot.PcId != job.PcId) return ApiProblems.BadRequest("snapshotId is not a snapshot of this PC");
            snapshotId = snapshot.Id;
        }

        // A job an administrator cancelled ends as cancelled unless it succeeded first.
        var state = result.Succeeded ? JobValues.Succeeded : result.Cancelled || job.State == JobValues.Cancelling ? JobValues.Cancelled : JobValues.Failed;
        if (!await catalog.UpdateJobAsync(jobId, state, time.GetUtcNow(), snapshotId, result.Message, ct).ConfigureAwait(false)) return ApiProblems.Conflict("the job has ended");
        board.Ended(jobId);
        await alerts.BackupEndedAsync(job, state, result, ct).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IReadOnlyList<SnapshotDto>> SnapshotsAsync(HttpContext context, ServerCatalog catalog, CancellationToken ct) =>
        await catalog.ListSnapshotsAsync(context.User.PcId(), ct).ConfigureAwait(false);

    private static async Task<JobDto> OwnJobAsync(HttpContext context, ServerCatalog catalog, string jobId, CancellationToken ct)
    {
        var job = await JobEndpoints.FindAsync(catalog, jobId, ct).ConfigureAwait(false);
        return job.PcId == context.User.PcId() ? job : throw new NotFoundException($"there is no job {jobId}");
    }
}
