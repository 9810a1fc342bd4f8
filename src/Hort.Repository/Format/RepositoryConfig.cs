using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hort.Core;
using Hort.Repository.Chunking;
using Hort.Repository.Crypto;

namespace Hort.Repository.Format;

/// <summary>
/// The repository's configuration: its ID and the algorithms and parameters every writer must use.
/// Stored as <c>magic(8) · uint32 version · envelope(JSON)</c>; the magic and version are readable without a key,
/// so a newer format is refused with a clear message before any password is asked for.
/// </summary>
public sealed record RepositoryConfig
{
    /// <summary>Stable name of the chunking algorithm (FastCDC, keyed gear table).</summary>
    public const string ChunkerAlgorithm = "fastcdc-gear-hmac-sha256";

    /// <summary>Stable name of the chunk ID function.</summary>
    public const string ChunkIdAlgorithm = "hmac-sha256";

    /// <summary>Stable name of the object envelope.</summary>
    public const string CipherAlgorithm = "aes-256-gcm-hmac-sha256-subkey";

    /// <summary>Stable name of the compression algorithm.</summary>
    public const string CompressionAlgorithm = "zstd";

    /// <summary>Default target size of a pack file.</summary>
    public const int DefaultPackSize = 16 << 20;

    /// <summary>Smallest pack size a reader accepts.</summary>
    public const int MinPackSize = 1 << 16;

    /// <summary>Largest pack size a reader accepts (pack offsets are 32-bit).</summary>
    public const int MaxPackSize = 1 << 30;

    private const int HeaderLength = 12;

    public required ObjectId Id { get; init; }

    public required ChunkerParameters Chunker { get; init; }

    /// <summary>Packs are closed once they reach this many bytes.</summary>
    public int PackSize { get; init; } = DefaultPackSize;

    /// <summary>Reads the plaintext header and returns the format version, checking the magic.</summary>
    public static uint ReadVersion(ReadOnlySpan<byte> stored, string location)
    {
        if (stored.Length < HeaderLength || !stored[..8].SequenceEqual(FormatVersion.ConfigMagic))
        {
            throw new RepositoryNotFoundException($"{location} is not a hort repository (its config file is not a hort config)");
        }

        return BinaryPrimitives.ReadUInt32LittleEndian(stored[8..]);
    }

    /// <summary>Checks the header and throws <see cref="UnsupportedFormatException"/> for any version but 1.</summary>
    public static void CheckVersion(ReadOnlySpan<byte> stored, string location)
    {
        var version = ReadVersion(stored, location);
        if (version != FormatVersion.Current)
        {
            throw new UnsupportedFormatException(
                $"the repository at {location} uses format version {version}; this hort reads format version {FormatVersion.Current} — use a hort release that supports version {version}");
        }
    }

    /// <summary>The config as JSON, exactly as stored inside the envelope.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(ConfigDocument.From(this), ConfigJsonContext.Default.ConfigDocument);

    /// <summary>Encrypts the config into its stored form.</summary>
    public byte[] Seal(ObjectCipher cipher)
    {
        var json = ToJson();
        var stored = new byte[HeaderLength + json.Length + ObjectCipher.Overhead];
        FormatVersion.ConfigMagic.CopyTo(stored);
        BinaryPrimitives.WriteUInt32LittleEndian(stored.AsSpan(8), FormatVersion.Current);
        cipher.Encrypt(json, stored.AsSpan(0, HeaderLength), stored.AsSpan(HeaderLength));
        return stored;
    }

    /// <summary>Checks the header, decrypts and validates the config.</summary>
    public static RepositoryConfig Open(ObjectCipher cipher, ReadOnlySpan<byte> stored, string location)
    {
        CheckVersion(stored, location);
        var json = cipher.Decrypt(stored[HeaderLength..], stored[..HeaderLength], "config");
        return FromJson(json);
    }

    /// <summary>Parses and validates config JSON; unknown algorithms are refused.</summary>
    public static RepositoryConfig FromJson(ReadOnlySpan<byte> json)
    {
        ConfigDocument? doc;
        try
        {
            doc = JsonSerializer.Deserialize(json, ConfigJsonContext.Default.ConfigDocument);
        }
        catch (JsonException e)
        {
            throw new RepositoryCorruptException("config", "not valid JSON", e);
        }

        if (doc?.Chunker is null || !ObjectId.TryParse(doc.Id, out var id))
        {
            throw new RepositoryCorruptException("config", "lacks the repository ID or chunker parameters");
        }

        Require(doc.Chunker.Algorithm, ChunkerAlgorithm, "chunker");
        Require(doc.ChunkId, ChunkIdAlgorithm, "chunk ID");
        Require(doc.Cipher, CipherAlgorithm, "cipher");
        Require(doc.Compression, CompressionAlgorithm, "compression");
        ChunkerParameters chunker;
        try
        {
            chunker = new ChunkerParameters(doc.Chunker.MinSize, doc.Chunker.AverageSize, doc.Chunker.MaxSize);
            chunker.Validate();
        }
        catch (ArgumentException e)
        {
            throw new RepositoryCorruptException("config", "invalid chunker parameters: " + e.Message, e);
        }

        if (doc.PackSize is < MinPackSize or > MaxPackSize)
        {
            throw new RepositoryCorruptException("config", $"pack size {doc.PackSize} is out of range");
        }

        return new RepositoryConfig { Id = id, Chunker = chunker, PackSize = doc.PackSize };
    }

    private static void Require(string? actual, string expected, string what)
    {
        if (actual != expected)
        {
            throw new UnsupportedFormatException($"the repository uses {what} algorithm '{actual}', which this hort does not know (it knows '{expected}')");
        }
    }
}

internal sealed class ConfigDocument
{
    public int Version { get; set; }
    public string? Id { get; set; }
    public ChunkerDocument? Chunker { get; set; }
    public string? ChunkId { get; set; }
    public string? Cipher { get; set; }
    public string? Compression { get; set; }
    public int PackSize { get; set; }

    public static ConfigDocument From(RepositoryConfig c) => new()
    {
        Version = (int)FormatVersion.Current,
        Id = c.Id.ToString(),
        Chunker = new ChunkerDocument
        {
            Algorithm = RepositoryConfig.ChunkerAlgorithm,
            MinSize = c.Chunker.MinSize,
            AverageSize = c.Chunker.AverageSize,
            MaxSize = c.Chunker.MaxSize,
        },
        ChunkId = RepositoryConfig.ChunkIdAlgorithm,
        Cipher = RepositoryConfig.CipherAlgorithm,
        Compression = RepositoryConfig.CompressionAlgorithm,
        PackSize = c.PackSize,
    };
}

internal sealed class ChunkerDocument
{
    public string? Algorithm { get; set; }
    public int MinSize { get; set; }
    public int AverageSize { get; set; }
    public int MaxSize { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(ConfigDocument))]
internal sealed partial class ConfigJsonContext : JsonSerializerContext;
