using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Hort.Core;
using Hort.Protocol;
using Hort.Repository.Compression;
using Hort.Repository.Trees;

namespace Hort.Server.Tests;

/// <summary>What an agent does in a backup session, done by hand over HTTP with the dedup keys from enrollment.</summary>
internal sealed class AgentUploads(HttpClient agent, EnrollResponse enrolled)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public HttpClient Client => agent;

    public string Id(byte[] plaintext) => Convert.ToHexStringLower(HMACSHA256.HashData(enrolled.Dedup.ChunkIdKey, plaintext));

    public async Task<string> OpenSessionAsync()
    {
        var response = await agent.PostAsync(Routes.Sessions, new SessionCreateRequest(null, ["/home"], null, DateTimeOffset.UnixEpoch), ProtocolJson.Default.SessionCreateRequest);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, response.StatusCode.ToString());
        return (await response.ReadAsync(ProtocolJson.Default.SessionResponse)).SessionId;
    }

    public async Task<IReadOnlyList<string>> NeededAsync(string session, params string[] ids)
    {
        var response = await agent.PostAsync(Routes.Format(Routes.SessionKnown, session), new KnownRequest(ids), ProtocolJson.Default.KnownRequest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadAsync(ProtocolJson.Default.KnownResponse)).Needed;
    }

    /// <summary>Uploads a blob (zstd-compressed when asked) under <paramref name="id"/> (its true ID unless given).</summary>
    public async Task<HttpResponseMessage> UploadAsync(string session, string type, byte[] plaintext, string? id = null, bool zstd = true)
    {
        ByteArrayContent content;
        if (zstd)
        {
            var compressed = new byte[Zstd.CompressBound(plaintext.Length)];
            var length = Zstd.Compress(plaintext, compressed, 3);
            content = new ByteArrayContent(compressed, 0, length);
            content.Headers.ContentEncoding.Add(SessionValues.ZstdEncoding);
        }
        else
        {
            content = new ByteArrayContent(plaintext);
        }

        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await agent.PutAsync(Routes.Format(Routes.SessionBlob, session, type, id ?? Id(plaintext)), content, Ct);
    }

    /// <summary>Uploads blobs of one type in one batched body of frames (<see cref="Frames"/>).</summary>
    public async Task<HttpResponseMessage> UploadBatchAsync(string session, string type, params (byte[] Plaintext, string? Id, bool Zstd, int? Length)[] blobs)
    {
        var content = new ByteArrayContent(Frames(blobs));
        content.Headers.ContentType = new MediaTypeHeaderValue(BlobFrameHeader.MediaType);
        return await agent.PostAsync(Routes.Format(Routes.SessionBlobs, session, type), content, Ct);
    }

    /// <summary>
    /// A batched upload's body: each blob zstd-compressed unless asked not to, under its true ID unless another is
    /// given, with its true plaintext length unless another is given.
    /// </summary>
    public byte[] Frames(params (byte[] Plaintext, string? Id, bool Zstd, int? Length)[] blobs)
    {
        using var frames = new MemoryStream();
        var header = new byte[BlobFrameHeader.Size];
        foreach (var (plaintext, id, zstd, length) in blobs)
        {
            var body = plaintext;
            if (zstd)
            {
                var compressed = new byte[Zstd.CompressBound(plaintext.Length)];
                body = compressed.AsSpan(0, Zstd.Compress(plaintext, compressed, 3)).ToArray();
            }

            new BlobFrameHeader(ObjectId.Parse(id ?? Id(plaintext)), zstd ? BlobFrameForm.Zstd : BlobFrameForm.Plain, length ?? plaintext.Length, body.Length).Write(header);
            frames.Write(header);
            frames.Write(body);
        }

        return frames.ToArray();
    }

    /// <summary>A tree with one file per (name, chunks) pair.</summary>
    public static byte[] TreeOf(params (string Name, string[] Chunks)[] files) =>
        new Tree([.. files.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => new TreeNode
        {
            Name = Encoding.UTF8.GetBytes(f.Name),
            Type = NodeType.File,
            Mode = 420,
            Size = 0,
            Content = [.. f.Chunks.Select(ObjectId.Parse)],
        })]).Encode();

    /// <summary>A tree with one directory entry.</summary>
    public static byte[] DirectoryOf(string name, string subtree) =>
        new Tree([new TreeNode { Name = Encoding.UTF8.GetBytes(name), Type = NodeType.Directory, Mode = 493, Subtree = ObjectId.Parse(subtree) }]).Encode();

    public Task<HttpResponseMessage> CommitAsync(string session, string tree) =>
        agent.PostAsync(Routes.Format(Routes.SessionCommit, session), new CommitRequest(tree, ["/home"], null, DateTimeOffset.UnixEpoch, null), ProtocolJson.Default.CommitRequest);

    /// <summary>Uploads one file of the given chunks and commits it; returns the commit answer.</summary>
    public async Task<CommitResponse> BackupAsync(params byte[][] chunks)
    {
        var session = await OpenSessionAsync();
        foreach (var chunk in chunks)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await UploadAsync(session, SessionValues.Data, chunk)).StatusCode);
        }

        var tree = TreeOf(("file", [.. chunks.Select(Id)]));
        Assert.Equal(HttpStatusCode.NoContent, (await UploadAsync(session, SessionValues.Tree, tree)).StatusCode);
        var commit = await CommitAsync(session, Id(tree));
        Assert.Equal(HttpStatusCode.Created, commit.StatusCode);
        return await commit.ReadAsync(ProtocolJson.Default.CommitResponse);
    }
}
