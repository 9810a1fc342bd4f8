using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Hort.Core;
using Hort.Protocol;
using Hort.Repository;
using Hort.Repository.Compression;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests;

/// <summary>hortd stores an upload in the form the agent sent, once that form decompressed to the right ID.</summary>
public sealed class UploadStorageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Uploads_are_stored_as_sent_when_the_zstd_form_saves_a_64th_and_raw_otherwise()
    {
        await using var server = await TestServer.StartAsync();
        var admin = await server.AdminAsync();
        var (pc, client) = await server.EnrollAsync(admin, "desk-1");
        var agent = new AgentUploads(client, pc);
        var repository = server.Host.Services.GetRequiredService<HortRepository>();
        var session = await agent.OpenSessionAsync();

        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("the same line again and again\n", 2000)));
        var noise = RandomNumberGenerator.GetBytes(64 * 1024);
        var plainText = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("sent without compression\n", 500)));

        // zstd at level 1, which hortd itself never uses: the stored envelope holds exactly these bytes.
        var sent = Compress(text, 1);
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(client, session, agent.Id(text), sent, zstd: true)).StatusCode);
        // zstd that saves nothing (random bytes): stored raw.
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(client, session, agent.Id(noise), Compress(noise, 3), zstd: true)).StatusCode);
        // Sent raw: stored raw, the server does not compress.
        Assert.Equal(HttpStatusCode.NoContent, (await PutAsync(client, session, agent.Id(plainText), plainText, zstd: false)).StatusCode);
        // zstd whose content does not match the ID is refused and nothing is stored.
        var wrong = Compress(Encoding.UTF8.GetBytes("other content"), 3);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await PutAsync(client, session, agent.Id(text.AsSpan(1).ToArray()), wrong, zstd: true)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.PostAsync(Routes.Format(Routes.SessionCheckpoint, session), null, Ct)).StatusCode);

        AssertStored(repository, agent.Id(text), CompressionKind.Zstd, sent.Length);
        AssertStored(repository, agent.Id(noise), CompressionKind.None, noise.Length);
        AssertStored(repository, agent.Id(plainText), CompressionKind.None, plainText.Length);
        Assert.False(repository.Index.Contains(ObjectId.Parse(agent.Id(text.AsSpan(1).ToArray()))));
        foreach (var blob in new[] { text, noise, plainText })
        {
            Assert.Equal(blob, await repository.LoadBlobAsync(BlobType.Data, ObjectId.Parse(agent.Id(blob)), Ct));
        }
    }

    private static void AssertStored(HortRepository repository, string id, CompressionKind compression, int payload)
    {
        Assert.True(repository.Index.TryGet(ObjectId.Parse(id), out var location));
        Assert.Equal((compression, (uint)(payload + ObjectCipher.Overhead)), (location.Entry.Compression, location.Entry.StoredLength));
    }

    private static byte[] Compress(byte[] raw, int level)
    {
        var buffer = new byte[Zstd.CompressBound(raw.Length)];
        return buffer.AsSpan(0, Zstd.Compress(raw, buffer, level)).ToArray();
    }

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, string session, string id, byte[] body, bool zstd)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (zstd) content.Headers.ContentEncoding.Add(SessionValues.ZstdEncoding);
        return client.PutAsync(Routes.Format(Routes.SessionBlob, session, SessionValues.Data, id), content, Ct);
    }
}
