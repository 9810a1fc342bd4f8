using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hort.Core;
using Hort.Protocol;
using Hort.Repository;
using Hort.Storage;

namespace Hort.Server.Catalog;

/// <summary>
/// A dashboard user in the server state document: role (absent in older documents: admin) and the two-factor secret
/// in base32 (the document itself is encrypted with the repository key; the catalog keeps it data-protected instead).
/// </summary>
public sealed record AdminState(string Username, string PasswordHash, DateTimeOffset Created, string? Role = null, string? TotpSecret = null);

/// <summary>A group in the server state document.</summary>
public sealed record GroupState(string Id, string Name, PolicyDto? Policy);

/// <summary>A PC in the server state document.</summary>
public sealed record PcState(
    string Id, string Name, string Hostname, string? GroupId, string OperatingSystem, string AgentVersion,
    DateTimeOffset Enrolled, string? CredentialHash, bool Revoked, PolicyDto? Policy);

/// <summary>What only the server knows, mirrored into the repository (repository-format.md §10.1).</summary>
public sealed record ServerStateDocument(
    int Version, long Sequence, DateTimeOffset Written, IReadOnlyList<AdminState> Admins, IReadOnlyList<GroupState> Groups, IReadOnlyList<PcState> Pcs);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(ServerStateDocument))]
internal sealed partial class ServerStateJson : JsonSerializerContext;

/// <summary>
/// Writes the server state document into the repository after every change of administrators, PCs, groups or
/// policies, and reads the newest one back for <c>hortd rebuild-catalog</c>.
/// </summary>
public sealed class ServerStateStore(HortRepository repository, ServerCatalog catalog, Security.TotpSecrets secrets, TimeProvider time)
{
    public const int Version = 1;
    private static readonly byte[] AssociatedData = "hort/v1/server-state"u8.ToArray();

    private readonly SemaphoreSlim _writing = new(1, 1);
    private long _sequence = -1;

    /// <summary>Writes a new document from the catalog's current state and removes the older ones.</summary>
    public async Task SaveAsync(CancellationToken ct)
    {
        await _writing.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_sequence < 0)
            {
                _sequence = (await LoadNewestAsync(repository, ct).ConfigureAwait(false))?.Sequence ?? 0;
            }

            var admins = await catalog.ListUsersAsync(ct).ConfigureAwait(false);
            var groups = await catalog.ListGroupsAsync(ct).ConfigureAwait(false);
            var pcs = await catalog.ListPcsAsync(ct).ConfigureAwait(false);
            var document = new ServerStateDocument(Version, _sequence + 1, time.GetUtcNow(),
                [.. admins.Select(a => new AdminState(a.Username, a.PasswordHash, a.Created, a.Role,
                    a.TotpSecret is { } s && secrets.Unprotect(s) is { } secret ? Security.Base32.Encode(secret) : null))],
                [.. groups.Select(g => new GroupState(g.Id, g.Name, g.Policy))],
                [.. pcs.Select(p => new PcState(p.Id, p.Name, p.Hostname, p.GroupId, p.OperatingSystem, p.AgentVersion, p.Enrolled, p.CredentialHash, p.Revoked, p.Policy))]);
            var sealedBytes = repository.Codec.Cipher.Encrypt(JsonSerializer.SerializeToUtf8Bytes(document, ServerStateJson.Default.ServerStateDocument), AssociatedData);
            var id = new ObjectId(SHA256.HashData(sealedBytes));
            await repository.Store.PutAsync(BlobName.For(BlobKind.ServerState, id), sealedBytes, ct).ConfigureAwait(false);
            _sequence = document.Sequence;
            await foreach (var (other, _) in repository.ListObjectsAsync(BlobKind.ServerState, ct).ConfigureAwait(false))
            {
                if (other != id) await repository.Store.DeleteAsync(BlobName.For(BlobKind.ServerState, other), ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>The document with the highest sequence, or null when the repository has none.</summary>
    public static async Task<ServerStateDocument?> LoadNewestAsync(HortRepository repository, CancellationToken ct)
    {
        ServerStateDocument? newest = null;
        await foreach (var (id, _) in repository.ListObjectsAsync(BlobKind.ServerState, ct).ConfigureAwait(false))
        {
            byte[] stored;
            try
            {
                stored = await repository.GetVerifiedAsync(BlobKind.ServerState, id, ct).ConfigureAwait(false);
            }
            catch (BlobNotFoundException)
            {
                continue; // replaced while we listed
            }

            var name = BlobName.For(BlobKind.ServerState, id).ToString();
            var json = repository.Codec.Cipher.Decrypt(stored, AssociatedData, name);
            ServerStateDocument? document;
            try
            {
                document = JsonSerializer.Deserialize(json, ServerStateJson.Default.ServerStateDocument);
            }
            catch (JsonException e)
            {
                throw new RepositoryCorruptException(name, "server state document is not valid JSON", e);
            }

            if (document is null || document.Version != Version)
            {
                throw new UnsupportedFormatException($"{name}: server state version {document?.Version} is not {Version}; use a newer hortd");
            }

            if (newest is null || document.Sequence > newest.Sequence) newest = document;
        }

        return newest;
    }

    /// <summary>Puts the document's users, groups and PCs into the catalog (replacing rows with the same key).</summary>
    public static async Task RestoreAsync(ServerStateDocument document, ServerCatalog catalog, Security.TotpSecrets secrets, CancellationToken ct)
    {
        foreach (var a in document.Admins)
        {
            var secret = a.TotpSecret is { } text && Security.Base32.Decode(text) is { Length: > 0 } bytes ? secrets.Protect(bytes) : null;
            await catalog.PutAdminAsync(a.Username, a.PasswordHash, a.Created, a.Role ?? "admin", secret, ct).ConfigureAwait(false);
        }

        foreach (var g in document.Groups) await catalog.PutGroupAsync(new GroupRecord(g.Id, g.Name, g.Policy), ct).ConfigureAwait(false);
        foreach (var p in document.Pcs)
        {
            await catalog.PutPcAsync(new PcRecord(p.Id, p.Name, p.Hostname, p.GroupId, p.OperatingSystem, p.AgentVersion, p.Enrolled, null,
                p.CredentialHash, p.Revoked, p.Policy), ct).ConfigureAwait(false);
        }
    }
}
