using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Hort.Core;
using Hort.Repository.Crypto;

namespace Hort.Repository.Maintenance;

/// <summary>
/// Leases, deletion records and settings records are UTF-8 JSON inside one envelope each, with associated data
/// "hort/v1/lease", "hort/v1/deletion" and "hort/v1/setting", so none of them can pass for another object.
/// </summary>
internal static class MaintenanceCodec
{
    public static ReadOnlySpan<byte> LeaseContext => "hort/v1/lease"u8;

    public static ReadOnlySpan<byte> DeletionContext => "hort/v1/deletion"u8;

    public static ReadOnlySpan<byte> SettingContext => "hort/v1/setting"u8;

    public static byte[] Seal<T>(ObjectCipher cipher, T document, JsonTypeInfo<T> type, ReadOnlySpan<byte> context) =>
        cipher.Encrypt(JsonSerializer.SerializeToUtf8Bytes(document, type), context);

    public static T Open<T>(ObjectCipher cipher, ReadOnlySpan<byte> stored, JsonTypeInfo<T> type, ReadOnlySpan<byte> context, string objectName)
        where T : class, IVersioned
    {
        var json = cipher.Decrypt(stored, context, objectName);
        T? document;
        try
        {
            document = JsonSerializer.Deserialize(json, type);
        }
        catch (JsonException e)
        {
            throw new RepositoryCorruptException(objectName, "not valid JSON", e);
        }

        if (document is null || document.Version < 1)
        {
            throw new RepositoryCorruptException(objectName, "has no valid version");
        }

        return document.Version == 1
            ? document
            : throw new UnsupportedFormatException($"{objectName}: version {document.Version}; this hort reads version 1 — upgrade hort");
    }

    public static ObjectId ParseId(string? text, string objectName, string what) =>
        ObjectId.TryParse(text, out var id) ? id : throw new RepositoryCorruptException(objectName, $"{what} is not a valid ID");
}

internal interface IVersioned
{
    int Version { get; }
}

internal sealed class LeaseDocument : IVersioned
{
    public int Version { get; set; } = 1;
    public string? Hostname { get; set; }
    public int Pid { get; set; }
    public string? Instance { get; set; }
    public string? Purpose { get; set; }
    public DateTimeOffset Started { get; set; }
    public DateTimeOffset Refreshed { get; set; }
    public List<string>? SeenDeletions { get; set; }
}

internal sealed class DeletionDocument : IVersioned
{
    public int Version { get; set; } = 1;
    public DateTimeOffset Created { get; set; }
    public string? Hostname { get; set; }
    public string? NewIndex { get; set; }
    public List<DeletionPackDocument>? Packs { get; set; }
    public List<string>? Indexes { get; set; }
}

internal sealed class DeletionPackDocument
{
    public string? Id { get; set; }
    public long Length { get; set; }
}

internal sealed class SettingDocument : IVersioned
{
    public int Version { get; set; } = 1;
    public string? Setting { get; set; }
    public int Days { get; set; }
    public DateTimeOffset Requested { get; set; }
    public string? Hostname { get; set; }
    public string? Username { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(LeaseDocument))]
[JsonSerializable(typeof(DeletionDocument))]
[JsonSerializable(typeof(SettingDocument))]
internal sealed partial class MaintenanceJsonContext : JsonSerializerContext;
