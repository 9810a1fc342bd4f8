using Hort.Protocol;
using Hort.Server.Security;
using Hort.Server.Sessions;

namespace Hort.Server.Api;

/// <summary>Backup sessions of the caller's PC (protocol.md §7).</summary>
internal static class SessionEndpoints
{
    public static void Map(RouteGroupBuilder agent)
    {
        agent.MapPost(Routes.Sessions, CreateAsync).WithTags("Backup sessions");
        agent.MapGet(Routes.Session, GetAsync).WithTags("Backup sessions");
        agent.MapDelete(Routes.Session, AbandonAsync).WithTags("Backup sessions");
        agent.MapPost(Routes.SessionKnown, KnownAsync).WithTags("Backup sessions");
        agent.MapPut(Routes.SessionBlob, UploadAsync).WithTags("Backup sessions").Accepts<byte[]>("application/octet-stream");
        agent.MapPost(Routes.SessionBlobs, UploadBatchAsync).WithTags("Backup sessions").Accepts<byte[]>(BlobFrameHeader.MediaType);
        agent.MapPost(Routes.SessionCheckpoint, CheckpointAsync).WithTags("Backup sessions");
        agent.MapPost(Routes.SessionCommit, CommitAsync).WithTags("Backup sessions");
    }

    private static SessionResponse ToResponse(Catalog.SessionRecord s, bool resumed) => new(s.Id, s.State, s.Created, resumed);

    private static async Task<IResult> CreateAsync(SessionCreateRequest request, HttpContext context, BackupSessions sessions, CancellationToken ct)
    {
        var (session, resumed) = await sessions.OpenAsync(context.User.PcId(), request, ct).ConfigureAwait(false);
        return resumed
            ? Results.Ok(ToResponse(session, true))
            : Results.Created(Routes.Format(Routes.Session, session.Id), ToResponse(session, false));
    }

    private static async Task<SessionResponse> GetAsync(string sessionId, HttpContext context, BackupSessions sessions, CancellationToken ct) =>
        ToResponse(await sessions.FindAsync(context.User.PcId(), sessionId, false, ct).ConfigureAwait(false), false);

    private static async Task<IResult> AbandonAsync(string sessionId, HttpContext context, BackupSessions sessions, CancellationToken ct)
    {
        var session = await sessions.FindAsync(context.User.PcId(), sessionId, true, ct).ConfigureAwait(false);
        await sessions.AbandonAsync(session, ct).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> KnownAsync(string sessionId, KnownRequest request, HttpContext context, BackupSessions sessions, CancellationToken ct)
    {
        if (request.Ids is null || request.Ids.Count > KnownRequest.MaxIds) return ApiProblems.BadRequest($"ids must list at most {KnownRequest.MaxIds} IDs");
        var pcId = context.User.PcId();
        var session = await sessions.FindAsync(pcId, sessionId, true, ct).ConfigureAwait(false);
        return Results.Ok(new KnownResponse(await sessions.NeededAsync(pcId, session, request.Ids, ct).ConfigureAwait(false)));
    }

    private static async Task<IResult> UploadAsync(string sessionId, string blobType, string blobId, HttpContext context, BackupSessions sessions, CancellationToken ct)
    {
        var pcId = context.User.PcId();
        var session = await sessions.FindAsync(pcId, sessionId, true, ct).ConfigureAwait(false);
        var encoding = context.Request.Headers.ContentEncoding.ToString();
        if (encoding is not ("" or "identity" or SessionValues.ZstdEncoding))
        {
            return ApiProblems.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported encoding", "Content-Encoding must be zstd or absent");
        }

        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, ct).ConfigureAwait(false);
        await sessions.UploadAsync(pcId, session, blobType, blobId, body.GetBuffer().AsMemory(0, (int)body.Length), encoding == SessionValues.ZstdEncoding, ct).ConfigureAwait(false);
        return Results.NoContent();
    }

    /// <summary>Many blobs of one type in one body of frames (protocol.md §7), each checked and stored as a single upload is.</summary>
    private static async Task<IResult> UploadBatchAsync(string sessionId, string blobType, HttpContext context, BackupSessions sessions, CancellationToken ct)
    {
        // Another media type never gets here: the route accepts only BlobFrameHeader.MediaType and answers 415.
        var pcId = context.User.PcId();
        var session = await sessions.FindAsync(pcId, sessionId, true, ct).ConfigureAwait(false);
        var stored = await sessions.UploadBatchAsync(pcId, session, blobType, context.Request.Body, ct).ConfigureAwait(false);
        return Results.Ok(new UploadBatchResponse(stored));
    }

    private static async Task<IResult> CheckpointAsync(string sessionId, HttpContext context, BackupSessions sessions, CancellationToken ct)
    {
        var session = await sessions.FindAsync(context.User.PcId(), sessionId, true, ct).ConfigureAwait(false);
        await sessions.CheckpointAsync(session, ct).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> CommitAsync(string sessionId, CommitRequest request, HttpContext context, BackupSessions sessions, CancellationToken ct)
    {
        var pcId = context.User.PcId();
        var session = await sessions.FindAsync(pcId, sessionId, true, ct).ConfigureAwait(false);
        var committed = await sessions.CommitAsync(pcId, session, request, ct).ConfigureAwait(false);
        return Results.Created(Routes.AgentSnapshots, committed);
    }
}
