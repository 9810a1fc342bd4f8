using System.Text.Json;
using System.Text.Json.Serialization;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Format;

namespace Hort.Repository.Snapshots;

/// <summary>Snapshots are stored as UTF-8 JSON inside one envelope with associated data "hort/v1/snapshot".</summary>
public static class SnapshotCodec
{
    /// <summary>The snapshot as JSON (the plaintext that is encrypted).</summary>
    public static byte[] ToJson(Snapshot snapshot) =>
        JsonSerializer.SerializeToUtf8Bytes(SnapshotDocument.From(snapshot), SnapshotJsonContext.Default.SnapshotDocument);

    /// <summary>Parses snapshot JSON.</summary>
    public static Snapshot FromJson(ReadOnlySpan<byte> json, string objectName)
    {
        SnapshotDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize(json, SnapshotJsonContext.Default.SnapshotDocument);
        }
        catch (JsonException e)
        {
            throw new RepositoryCorruptException(objectName, "snapshot is not valid JSON", e);
        }

        if (doc is null)
        {
            throw new RepositoryCorruptException(objectName, "snapshot is empty");
        }

        // The version decides how to read everything else, so it is checked first.
        if (doc.Version < 1)
        {
            throw new RepositoryCorruptException(objectName, "snapshot has no valid version");
        }

        if (doc.Version != 1)
        {
            throw new UnsupportedFormatException($"{objectName}: snapshot version {doc.Version}; this hort reads version 1 — upgrade hort");
        }

        if (doc.Time is null || doc.Tree is null || doc.Paths is null)
        {
            throw new RepositoryCorruptException(objectName, "snapshot lacks time, tree or paths");
        }

        if (doc.Paths.Contains(null!) || doc.Tags?.Contains(null!) == true || doc.Excludes?.Contains(null!) == true)
        {
            throw new RepositoryCorruptException(objectName, "snapshot lists hold an empty (null) entry");
        }

        return doc.ToSnapshot(objectName);
    }

    /// <summary>Encrypts a snapshot into its stored form.</summary>
    public static byte[] Seal(ObjectCipher cipher, Snapshot snapshot) =>
        cipher.Encrypt(ToJson(snapshot), FormatVersion.SnapshotContext);

    /// <summary>Decrypts and parses a stored snapshot.</summary>
    public static Snapshot Open(ObjectCipher cipher, ReadOnlySpan<byte> stored, string objectName) =>
        FromJson(cipher.Decrypt(stored, FormatVersion.SnapshotContext, objectName), objectName);
}

internal sealed class SnapshotDocument
{
    public int Version { get; set; }
    public string? Time { get; set; }
    public string? Tree { get; set; }
    public List<string>? Paths { get; set; }
    public string? Hostname { get; set; }
    public string? Username { get; set; }
    public uint Uid { get; set; }
    public uint Gid { get; set; }
    public List<string>? Tags { get; set; }
    public List<string>? Excludes { get; set; }
    public string? Parent { get; set; }
    public string? Program { get; set; }
    public SnapshotSummary? Summary { get; set; }

    public static SnapshotDocument From(Snapshot s) => new()
    {
        Version = 1,
        Time = s.Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        Tree = s.Tree.ToString(),
        Paths = [.. s.Paths],
        Hostname = s.Hostname,
        Username = s.Username,
        Uid = s.Uid,
        Gid = s.Gid,
        Tags = [.. s.Tags],
        Excludes = [.. s.Excludes],
        Parent = s.Parent?.ToString(),
        Program = s.Program,
        Summary = s.Summary,
    };

    public Snapshot ToSnapshot(string objectName)
    {
        if (!DateTimeOffset.TryParse(Time, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.RoundtripKind, out var time))
        {
            throw new RepositoryCorruptException(objectName, "snapshot time is not a valid timestamp");
        }

        if (!ObjectId.TryParse(Tree, out var tree))
        {
            throw new RepositoryCorruptException(objectName, "snapshot tree is not a valid ID");
        }

        ObjectId? parent = null;
        if (Parent is not null)
        {
            if (!ObjectId.TryParse(Parent, out var p))
            {
                throw new RepositoryCorruptException(objectName, "snapshot parent is not a valid ID");
            }

            parent = p;
        }

        return new Snapshot
        {
            Time = time, Tree = tree, Paths = Paths!, Hostname = Hostname ?? "", Username = Username ?? "",
            Uid = Uid, Gid = Gid, Tags = Tags ?? [], Excludes = Excludes ?? [], Parent = parent,
            Program = Program ?? "", Summary = Summary,
        };
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SnapshotDocument))]
internal sealed partial class SnapshotJsonContext : JsonSerializerContext;
