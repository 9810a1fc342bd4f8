using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Hort.Core;

namespace Hort.Repository.Crypto;

/// <summary>
/// A key file: the master key wrapped by a password, plus who created it and when. A repository may hold several,
/// one per password; each opens the same master key.
/// </summary>
/// <remarks>
/// JSON (camelCase):
/// <c>{"version":1,"created":"&lt;RFC 3339 UTC&gt;","hostname":"…","username":"…",
/// "kdf":{"algorithm":"argon2id","opsLimit":3,"memLimit":67108864,"salt":"&lt;base64, 16 bytes&gt;"},
/// "wrappedKey":"&lt;base64&gt;"}</c>.
/// <c>wrappedKey</c> is the <see cref="ObjectCipher"/> envelope (72 bytes) of the 32 master-key bytes under the
/// encryption key Argon2id(UTF-8 password, salt, opsLimit, memLimit, 32 bytes) with associated data ASCII "hort/v1/key".
/// </remarks>
public sealed class KeyFile
{
    /// <summary>The key-file format this code reads and writes.</summary>
    public const int Version = 1;

    /// <summary>The only key derivation of version 1.</summary>
    public const string Argon2idAlgorithm = "argon2id";

    /// <summary>
    /// Most passes a key file may ask for. Opening a repository tries every key file, so a damaged or planted one
    /// must not be able to stall or exhaust the machine.
    /// </summary>
    public const long MaxOpsLimit = 100;

    /// <summary>Most memory a key file may ask for: 16 GiB (see <see cref="MaxOpsLimit"/>).</summary>
    public const long MaxMemLimit = 16L * 1024 * 1024 * 1024;

    private const int WrappedKeyLength = MasterKey.Size + ObjectCipher.Overhead;

    private static ReadOnlySpan<byte> WrapContext => "hort/v1/key"u8;

    private readonly byte[] _salt;
    private readonly byte[] _wrappedKey;

    private KeyFile(DateTimeOffset created, string hostname, string username, long opsLimit, long memLimit, byte[] salt, byte[] wrappedKey)
    {
        Created = created;
        Hostname = hostname;
        Username = username;
        OpsLimit = opsLimit;
        MemLimit = memLimit;
        _salt = salt;
        _wrappedKey = wrappedKey;
    }

    /// <summary>When the key was added.</summary>
    public DateTimeOffset Created { get; }

    /// <summary>The machine the key was added on (informational).</summary>
    public string Hostname { get; }

    /// <summary>The user who added the key (informational).</summary>
    public string Username { get; }

    /// <summary>Argon2id passes.</summary>
    public long OpsLimit { get; }

    /// <summary>Argon2id memory in bytes.</summary>
    public long MemLimit { get; }

    /// <summary>Wraps <paramref name="key"/> with <paramref name="password"/> (UTF-8) under a fresh random salt.</summary>
    public static KeyFile Create(
        MasterKey key, ReadOnlySpan<byte> password, string hostname, string username, DateTimeOffset created, long opsLimit, long memLimit)
    {
        Span<byte> kdfSalt = stackalloc byte[Argon2id.SaltSize];
        Span<byte> envelopeSalt = stackalloc byte[ObjectCipher.SaltSize];
        RandomNumberGenerator.Fill(kdfSalt);
        RandomNumberGenerator.Fill(envelopeSalt);
        return Create(key, password, hostname, username, created, opsLimit, memLimit, kdfSalt, envelopeSalt);
    }

    /// <summary>As the public overload with fixed salts; only for reproducible test vectors.</summary>
    internal static KeyFile Create(
        MasterKey key, ReadOnlySpan<byte> password, string hostname, string username, DateTimeOffset created, long opsLimit, long memLimit,
        ReadOnlySpan<byte> kdfSalt, ReadOnlySpan<byte> envelopeSalt)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(hostname);
        ArgumentNullException.ThrowIfNull(username);
        ArgumentOutOfRangeException.ThrowIfLessThan(opsLimit, Argon2id.MinOpsLimit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(opsLimit, MaxOpsLimit);
        ArgumentOutOfRangeException.ThrowIfLessThan(memLimit, Argon2id.MinMemLimit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(memLimit, MaxMemLimit);

        var wrappingKey = Argon2id.DeriveKey(password, kdfSalt, opsLimit, memLimit, MasterKey.Size);
        try
        {
            var wrapped = new byte[WrappedKeyLength];
            new ObjectCipher(wrappingKey).Encrypt(key.Bytes, WrapContext, envelopeSalt, wrapped);
            return new KeyFile(created.ToUniversalTime(), hostname, username, opsLimit, memLimit, kdfSalt.ToArray(), wrapped);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrappingKey);
        }
    }

    /// <summary>The key file's JSON, UTF-8.</summary>
    public byte[] Serialize()
    {
        var document = new KeyFileDocument
        {
            Version = Version,
            Created = Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
            Hostname = Hostname,
            Username = Username,
            Kdf = new KdfDocument { Algorithm = Argon2idAlgorithm, OpsLimit = OpsLimit, MemLimit = MemLimit, Salt = _salt },
            WrappedKey = _wrappedKey,
        };
        return JsonSerializer.SerializeToUtf8Bytes(document, KeyFileJsonContext.Format.KeyFileDocument);
    }

    /// <summary>
    /// Reads a key file. Throws <see cref="RepositoryCorruptException"/> naming <paramref name="objectName"/> when it
    /// is malformed, and <see cref="UnsupportedFormatException"/> when it is of a newer version or uses an unknown
    /// key derivation.
    /// </summary>
    public static KeyFile Parse(ReadOnlySpan<byte> json, string objectName)
    {
        KeyFileDocument? document;
        try
        {
            using var parsed = JsonDocument.Parse(json.ToArray());
            CheckVersion(parsed.RootElement, objectName);
            document = parsed.RootElement.Deserialize(KeyFileJsonContext.Format.KeyFileDocument);
        }
        catch (JsonException e)
        {
            throw new RepositoryCorruptException(objectName, "is not a valid key file: " + e.Message, e);
        }

        if (document?.Kdf is not { } kdf || document.Created is null || document.Hostname is null || document.Username is null)
        {
            throw new RepositoryCorruptException(objectName, "is not a valid key file: fields are missing");
        }

        if (kdf.Algorithm != Argon2idAlgorithm)
        {
            throw new UnsupportedFormatException(
                $"key file {objectName} uses key derivation '{kdf.Algorithm}'; this hort understands {Argon2idAlgorithm} — upgrade hort");
        }

        if (kdf.OpsLimit is not { } ops || ops < Argon2id.MinOpsLimit || ops > MaxOpsLimit
            || kdf.MemLimit is not { } mem || mem < Argon2id.MinMemLimit || mem > MaxMemLimit)
        {
            throw new RepositoryCorruptException(objectName, "key derivation cost is missing or out of range");
        }

        if (kdf.Salt is not { Length: Argon2id.SaltSize } salt)
        {
            throw new RepositoryCorruptException(objectName, $"key derivation salt is not {Argon2id.SaltSize} bytes");
        }

        if (document.WrappedKey is not { Length: WrappedKeyLength } wrapped)
        {
            throw new RepositoryCorruptException(objectName, $"wrapped key is not {WrappedKeyLength} bytes");
        }

        if (!DateTimeOffset.TryParse(document.Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var created))
        {
            throw new RepositoryCorruptException(objectName, $"creation time '{document.Created}' is not an RFC 3339 time");
        }

        return new KeyFile(created.ToUniversalTime(), document.Hostname, document.Username, ops, mem, salt, wrapped);
    }

    /// <summary>
    /// Unwraps the master key with <paramref name="password"/> (UTF-8). False when the password is wrong — or the
    /// wrapped key was altered, which cannot be told apart.
    /// </summary>
    public bool TryUnwrap(ReadOnlySpan<byte> password, [NotNullWhen(true)] out MasterKey? key)
    {
        key = null;
        var wrappingKey = Argon2id.DeriveKey(password, _salt, OpsLimit, MemLimit, MasterKey.Size);
        Span<byte> master = stackalloc byte[MasterKey.Size];
        try
        {
            if (!new ObjectCipher(wrappingKey).TryDecrypt(_wrappedKey, WrapContext, master, out _))
            {
                return false;
            }

            key = new MasterKey(master);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrappingKey);
            CryptographicOperations.ZeroMemory(master);
        }
    }

    private static void CheckVersion(JsonElement root, string objectName)
    {
        // Checked before anything else: a newer version may have changed every other field.
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("version", out var version)
            || version.ValueKind != JsonValueKind.Number
            || !version.TryGetInt64(out var number))
        {
            throw new RepositoryCorruptException(objectName, "is not a valid key file: it has no version number");
        }

        if (number != Version)
        {
            throw new UnsupportedFormatException(
                $"key file {objectName} uses key format version {number}; this hort understands version {Version} — upgrade hort");
        }
    }
}
