using System.Text.Json;
using System.Text.Json.Serialization;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Format;

namespace Hort.Repository.Snapshots;

/// <summary>
/// What repair found lost in one snapshot: the blobs it needs that no pack holds any more, and the paths that
/// therefore cannot be restored intact. Snapshots are content-addressed and never change, so the mark lives beside
/// them, stored as <c>damage/&lt;snapshot ID&gt;</c> (an envelope with associated data "hort/v1/damage" of UTF-8 JSON).
/// </summary>
public sealed record DamageRecord
{
    /// <summary>The damaged snapshot; must equal the record's storage name.</summary>
    public required ObjectId Snapshot { get; init; }

    /// <summary>When repair wrote the record.</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Data and tree blobs the snapshot refers to that are lost.</summary>
    public required IReadOnlyList<ObjectId> MissingBlobs { get; init; }

    /// <summary>Display paths that cannot be restored intact, e.g. "/home/anna/report.docx" or "/etc (directory listing lost)".</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>Encrypts the record into its stored form.</summary>
    public byte[] Seal(ObjectCipher cipher)
    {
        var doc = new DamageDocument
        {
            Version = 1,
            Snapshot = Snapshot.ToString(),
            Time = Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            MissingBlobs = [.. MissingBlobs.Select(b => b.ToString())],
            Paths = [.. Paths],
        };
        return cipher.Encrypt(JsonSerializer.SerializeToUtf8Bytes(doc, DamageJsonContext.Default.DamageDocument), FormatVersion.DamageContext);
    }

    /// <summary>Decrypts and parses a stored record, checking that it belongs to <paramref name="snapshot"/>.</summary>
    public static DamageRecord Open(ObjectCipher cipher, ReadOnlySpan<byte> stored, ObjectId snapshot, string objectName)
    {
        var json = cipher.Decrypt(stored, FormatVersion.DamageContext, objectName);
        DamageDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize(json, DamageJsonContext.Default.DamageDocument);
        }
        catch (JsonException e)
        {
            throw new RepositoryCorruptException(objectName, "damage record is not valid JSON", e);
        }

        if (doc is null || doc.Version != 1 || doc.MissingBlobs is null || doc.Paths is null || doc.Paths.Contains(null!)
            || !ObjectId.TryParse(doc.Snapshot, out var id) || id != snapshot
            || !DateTimeOffset.TryParse(doc.Time, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var time))
        {
            throw new RepositoryCorruptException(objectName, "damage record is malformed or belongs to another snapshot");
        }

        var blobs = new List<ObjectId>(doc.MissingBlobs.Count);
        foreach (var text in doc.MissingBlobs)
        {
            blobs.Add(ObjectId.TryParse(text, out var blob) ? blob : throw new RepositoryCorruptException(objectName, "damage record lists an invalid blob ID"));
        }

        return new DamageRecord { Snapshot = id, Time = time, MissingBlobs = blobs, Paths = doc.Paths };
    }
}

internal sealed class DamageDocument
{
    public int Version { get; set; }
    public string? Snapshot { get; set; }
    public string? Time { get; set; }
    public List<string>? MissingBlobs { get; set; }
    public List<string>? Paths { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DamageDocument))]
internal sealed partial class DamageJsonContext : JsonSerializerContext;
