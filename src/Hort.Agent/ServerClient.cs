using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Hort.Protocol;

namespace Hort.Agent;

/// <summary>The server answered with an error (problem details); <see cref="Status"/> is its HTTP status.</summary>
public sealed class ServerRefusedException(HttpStatusCode status, string message, TimeSpan? retryAfter = null) : AgentException(message)
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>The server's Retry-After, when it said when to ask again.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Worth retrying later: the server is busy, restarting or out of space.</summary>
    public bool IsTransient => (int)Status >= 500 || Status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout;
}

/// <summary>The agent routes of protocol.md, typed; every call is made as this PC with its credential.</summary>
public sealed class ServerClient(HttpClient http, CertificatePins? pins = null) : IDisposable
{
    public HttpClient Http { get; } = http;

    /// <summary>The certificates this client accepts, when it follows the server's certificate changes.</summary>
    public CertificatePins? Pins { get; } = pins;

    public static ServerClient For(AgentIdentity identity) =>
        new(PinnedHttp.Create(new Uri(identity.Server), identity.Fingerprint, identity.Credential));

    /// <summary>A client for the enrolled PC that follows the server's certificate changes and saves them in <paramref name="state"/>.</summary>
    public static ServerClient For(AgentState state)
    {
        var identity = state.LoadIdentity();
        var pins = new CertificatePins(identity.Fingerprint, identity.NextFingerprint,
            p => state.SaveIdentity(state.LoadIdentity() with { Fingerprint = p.Current, NextFingerprint = p.Next }));
        return new ServerClient(PinnedHttp.Create(new Uri(identity.Server), pins, identity.Credential), pins);
    }

    /// <summary>The PC's configuration; a next server certificate it announces is remembered (<see cref="Pins"/>).</summary>
    public async Task<AgentConfigResponse> ConfigAsync(CancellationToken ct)
    {
        var config = await GetJsonAsync(Routes.AgentConfig, ProtocolJson.Default.AgentConfigResponse, ct).ConfigureAwait(false);
        Pins?.Announce(config.NextServerFingerprint);
        return config;
    }

    /// <summary>Commands for this PC, waiting up to <paramref name="waitSeconds"/> for one (empty after the wait).</summary>
    public async Task<IReadOnlyList<AgentCommand>> CommandsAsync(int waitSeconds, CancellationToken ct)
    {
        using var response = await Http.GetAsync($"{Routes.AgentCommands}?wait={waitSeconds}", ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NoContent) return [];
        await EnsureAsync(response, ct).ConfigureAwait(false);
        return await ReadAsync(response, ProtocolJson.Default.IReadOnlyListAgentCommand, ct).ConfigureAwait(false);
    }

    public Task<JobDto> CreateJobAsync(string kind, CancellationToken ct) =>
        PostJsonAsync(Routes.AgentJobs, new AgentJobCreateRequest(kind), ProtocolJson.Default.AgentJobCreateRequest, ProtocolJson.Default.JobDto, ct);

    public Task ProgressAsync(string jobId, JobProgress progress, CancellationToken ct) =>
        PostAsync(Routes.Format(Routes.AgentJobProgress, jobId), JsonContent.Create(progress, ProtocolJson.Default.JobProgress), ct);

    public Task LogAsync(string jobId, IReadOnlyList<JobLogEntry> entries, CancellationToken ct) =>
        PostAsync(Routes.Format(Routes.AgentJobLog, jobId), JsonContent.Create(entries, ProtocolJson.Default.IReadOnlyListJobLogEntry), ct);

    public Task ResultAsync(string jobId, JobResult result, CancellationToken ct) =>
        PostAsync(Routes.Format(Routes.AgentJobResult, jobId), JsonContent.Create(result, ProtocolJson.Default.JobResult), ct);

    public Task<IReadOnlyList<SnapshotDto>> SnapshotsAsync(CancellationToken ct) => GetJsonAsync(Routes.AgentSnapshots, ProtocolJson.Default.IReadOnlyListSnapshotDto, ct);

    public Task<SessionResponse> OpenSessionAsync(SessionCreateRequest request, CancellationToken ct) =>
        PostJsonAsync(Routes.Sessions, request, ProtocolJson.Default.SessionCreateRequest, ProtocolJson.Default.SessionResponse, ct);

    public async Task<IReadOnlyList<string>> NeededAsync(string sessionId, IReadOnlyList<string> ids, CancellationToken ct) =>
        (await PostJsonAsync(Routes.Format(Routes.SessionKnown, sessionId), new KnownRequest(ids), ProtocolJson.Default.KnownRequest, ProtocolJson.Default.KnownResponse, ct).ConfigureAwait(false)).Needed;

    /// <summary>Uploads many blobs of one type in one body of frames (<see cref="BlobFrameHeader"/>); returns how many the server stored.</summary>
    public async Task<int> UploadBatchAsync(string sessionId, string blobType, ReadOnlyMemory<byte> frames, CancellationToken ct)
    {
        using var content = new ReadOnlyMemoryContent(frames);
        content.Headers.ContentType = new MediaTypeHeaderValue(BlobFrameHeader.MediaType);
        using var response = await Http.PostAsync(Routes.Format(Routes.SessionBlobs, sessionId, blobType), content, ct).ConfigureAwait(false);
        await EnsureAsync(response, ct).ConfigureAwait(false);
        return (await ReadAsync(response, ProtocolJson.Default.UploadBatchResponse, ct).ConfigureAwait(false)).Stored;
    }

    public Task CheckpointAsync(string sessionId, CancellationToken ct) => PostAsync(Routes.Format(Routes.SessionCheckpoint, sessionId), null, ct);

    public Task<CommitResponse> CommitAsync(string sessionId, CommitRequest request, CancellationToken ct) =>
        PostJsonAsync(Routes.Format(Routes.SessionCommit, sessionId), request, ProtocolJson.Default.CommitRequest, ProtocolJson.Default.CommitResponse, ct);

    /// <summary>A tree this PC may read (its own snapshots' or uploads'), as plaintext; trees are small and come uncompressed.</summary>
    public Task<byte[]> TreeAsync(string treeId, CancellationToken ct) =>
        GetBytesAsync(Routes.Format(Routes.AgentBlob, SessionValues.Tree, treeId), null, ct);

    /// <summary>A chunk this PC may read, as plaintext (sent zstd-compressed, decompressed here; at most <paramref name="maxLength"/> bytes).</summary>
    public Task<byte[]> BlobAsync(string blobId, int maxLength, CancellationToken ct) =>
        GetBytesAsync(Routes.Format(Routes.AgentBlob, SessionValues.Data, blobId), maxLength, ct);

    /// <summary>The plaintext length of each chunk (at most <see cref="BlobBatchRequest.MaxIds"/>), null for one this PC may not read.</summary>
    public async Task<IReadOnlyList<long?>> BlobSizesAsync(IReadOnlyList<string> ids, CancellationToken ct) =>
        (await PostJsonAsync(Routes.AgentBlobSizes, new BlobBatchRequest(ids), ProtocolJson.Default.BlobBatchRequest, ProtocolJson.Default.BlobSizesResponse, ct).ConfigureAwait(false)).Sizes;

    /// <summary>
    /// Asks for many blobs of one type (<see cref="SessionValues"/>) at once (at most <see cref="BlobBatchRequest.MaxIds"/>);
    /// the answer's body is a stream of frames (<see cref="BlobFrameHeader"/>), read as it arrives. The caller disposes the answer.
    /// </summary>
    public async Task<HttpResponseMessage> ReadBlobsAsync(string blobType, IReadOnlyList<string> ids, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Routes.AgentBlobRead)
        {
            Content = JsonContent.Create(new BlobBatchRequest(ids, blobType), ProtocolJson.Default.BlobBatchRequest),
        };
        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        try
        {
            await EnsureAsync(response, ct).ConfigureAwait(false);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public void Dispose() => Http.Dispose();

    private async Task<byte[]> GetBytesAsync(string route, int? maxLength, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, route);
        if (maxLength is not null) request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(SessionValues.ZstdEncoding));
        using var response = await Http.SendAsync(request, ct).ConfigureAwait(false);
        await EnsureAsync(response, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (!response.Content.Headers.ContentEncoding.Contains(SessionValues.ZstdEncoding)) return body;
        var plain = new byte[maxLength ?? SessionValues.MaxTreeBytes];
        try
        {
            return plain.AsSpan(0, Repository.Compression.Zstd.Decompress(body, plain)).ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new AgentException($"the server sent zstd data for {route} that does not decompress within {plain.Length} bytes: {e.Message}", e);
        }
    }

    private async Task<T> GetJsonAsync<T>(string route, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var response = await Http.GetAsync(route, ct).ConfigureAwait(false);
        await EnsureAsync(response, ct).ConfigureAwait(false);
        return await ReadAsync(response, type, ct).ConfigureAwait(false);
    }

    private async Task<TResponse> PostJsonAsync<TRequest, TResponse>(string route, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken ct)
    {
        using var response = await Http.PostAsync(route, JsonContent.Create(body, requestType), ct).ConfigureAwait(false);
        await EnsureAsync(response, ct).ConfigureAwait(false);
        return await ReadAsync(response, responseType, ct).ConfigureAwait(false);
    }

    private async Task PostAsync(string route, HttpContent? content, CancellationToken ct)
    {
        using (content)
        {
            using var response = await Http.PostAsync(route, content, ct).ConfigureAwait(false);
            await EnsureAsync(response, ct).ConfigureAwait(false);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync(type, ct).ConfigureAwait(false)
        ?? throw new AgentException($"the server answered {response.RequestMessage?.RequestUri} with an empty body");

    /// <summary>Turns an error answer into <see cref="ServerRefusedException"/> with the problem's detail.</summary>
    internal static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        string detail;
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : problem.RootElement.ToString();
        }
        catch (JsonException)
        {
            detail = response.ReasonPhrase ?? "";
        }

        var what = $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath}";
        throw new ServerRefusedException(response.StatusCode, response.StatusCode == HttpStatusCode.Unauthorized
            ? $"the server refused this PC's credential ({what}): it was revoked or the PC was removed; enroll again"
            : $"the server answered {(int)response.StatusCode} to {what}: {detail}", response.Headers.RetryAfter?.Delta);
    }
}
