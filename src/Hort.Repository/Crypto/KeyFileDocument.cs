using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hort.Repository.Crypto;

/// <summary>The JSON shape of a key file; property order is the order written.</summary>
internal sealed class KeyFileDocument
{
    public int Version { get; set; }

    public string? Created { get; set; }

    public string? Hostname { get; set; }

    public string? Username { get; set; }

    public KdfDocument? Kdf { get; set; }

    public byte[]? WrappedKey { get; set; }
}

/// <summary>The JSON shape of a key file's key-derivation settings.</summary>
internal sealed class KdfDocument
{
    public string? Algorithm { get; set; }

    public long? OpsLimit { get; set; }

    public long? MemLimit { get; set; }

    public byte[]? Salt { get; set; }
}

[JsonSerializable(typeof(KeyFileDocument))]
internal sealed partial class KeyFileJsonContext : JsonSerializerContext
{
    /// <summary>camelCase, and base64's '+' written as is rather than as \u002B (the file is never embedded in HTML).</summary>
    public static KeyFileJsonContext Format { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
