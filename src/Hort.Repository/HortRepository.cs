using System.Security.Cryptography;
using System.Text;
using Hort.Core;
using Hort.Repository.Chunking;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;
using Hort.Storage;

namespace Hort.Repository;

/// <summary>Settings for a new repository.</summary>
public sealed record RepositoryInitOptions
{
    public ChunkerParameters Chunker { get; init; } = ChunkerParameters.Default;

    public int PackSize { get; init; } = RepositoryConfig.DefaultPackSize;

    /// <summary>Argon2id cost of the first key.</summary>
    public KeyDerivationCost KeyCost { get; init; } = KeyDerivationCost.Default;

    public string Hostname { get; init; } = Environment.MachineName;

    public string Username { get; init; } = Environment.UserName;
}

/// <summary>Argon2id parameters for wrapping the master key with a password.</summary>
public sealed record KeyDerivationCost(long OpsLimit, long MemLimit)
{
    public static KeyDerivationCost Default { get; } = new(Argon2id.DefaultOpsLimit, Argon2id.DefaultMemLimit);
}

/// <summary>
/// An open repository: its config, master key and index over one blob store. Reads are thread-safe;
/// writes go through <see cref="BlobWriter"/> and <see cref="SaveSnapshotAsync"/>.
/// </summary>
public sealed partial class HortRepository : IDisposable
{
    private readonly ulong[] _gear;

    private HortRepository(IBlobStore store, RepositoryConfig config, MasterKey key, ObjectId keyId, TimeProvider time)
    {
        Store = store;
        Config = config;
        Key = key;
        KeyId = keyId;
        Time = time;
        Codec = new BlobCodec(key);
        _gear = GearTable.Derive(key.ChunkerKey);
    }

    public IBlobStore Store { get; }

    public RepositoryConfig Config { get; }

    /// <summary>The master key (never leaves memory unwrapped).</summary>
    public MasterKey Key { get; }

    /// <summary>The key file that was opened with the password.</summary>
    public ObjectId KeyId { get; private set; }

    /// <summary>Encrypts and decrypts blobs and objects.</summary>
    public BlobCodec Codec { get; }

    /// <summary>The in-memory index (filled by <see cref="LoadIndexAsync"/> and by writers).</summary>
    public BlobIndex Index { get; private set; } = new();

    public TimeProvider Time { get; }

    /// <summary>A new chunker with this repository's secret gear table.</summary>
    public Chunker CreateChunker() => new(Config.Chunker, _gear);

    /// <summary>The ID of a blob's plaintext.</summary>
    public ObjectId ComputeId(ReadOnlySpan<byte> plaintext) => Key.ComputeChunkId(plaintext);

    /// <summary>Creates a repository in an empty store and returns it opened.</summary>
    public static async Task<HortRepository> InitAsync(
        IBlobStore store, string password, RepositoryInitOptions options, TimeProvider? time = null,
        CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        if (await store.StatAsync(BlobName.Config, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw new HortException($"a repository already exists at {store.Location}; nothing was changed");
        }

        CheckPassword(password);
        try
        {
            options.Chunker.Validate();
        }
        catch (ArgumentException e)
        {
            throw new HortException("invalid chunker parameters: " + e.Message + "; nothing was written", e);
        }

        if (options.PackSize is < RepositoryConfig.MinPackSize or > RepositoryConfig.MaxPackSize)
        {
            throw new HortException($"pack size {options.PackSize} is outside {RepositoryConfig.MinPackSize}..{RepositoryConfig.MaxPackSize}; nothing was written");
        }

        var config = new RepositoryConfig { Id = new ObjectId(RandomNumberGenerator.GetBytes(32)), Chunker = options.Chunker, PackSize = options.PackSize };
        var key = MasterKey.Generate();
        var keyId = await WriteKeyFileAsync(store, key, password, options.KeyCost, options.Hostname, options.Username, time, cancellationToken).ConfigureAwait(false);

        // The config is written last: a store holding a key but no config is not a repository yet and init may be retried.
        var cipher = new ObjectCipher(key.EncryptionKey);
        await store.PutAsync(BlobName.Config, config.Seal(cipher), cancellationToken).ConfigureAwait(false);
        return new HortRepository(store, config, key, keyId, time);
    }

    /// <summary>
    /// Opens a repository: checks the format version (before any password work), finds a key the password
    /// unwraps, and decrypts the config. Does not load the index.
    /// </summary>
    public static async Task<HortRepository> OpenAsync(
        IBlobStore store, string password, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        time ??= TimeProvider.System;
        byte[] stored;
        try
        {
            stored = await store.GetAsync(BlobName.Config, cancellationToken).ConfigureAwait(false);
        }
        catch (BlobNotFoundException)
        {
            throw new RepositoryNotFoundException($"there is no hort repository at {store.Location} (no config file); create one with 'hort init'");
        }

        RepositoryConfig.CheckVersion(stored, store.Location);
        var (key, keyId) = await UnlockAsync(store, password, cancellationToken).ConfigureAwait(false);
        var config = RepositoryConfig.Open(new ObjectCipher(key.EncryptionKey), stored, store.Location);
        return new HortRepository(store, config, key, keyId, time);
    }

    private static async Task<(MasterKey Key, ObjectId KeyId)> UnlockAsync(IBlobStore store, string password, CancellationToken cancellationToken)
    {
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        var damaged = new List<string>();
        var newer = new List<string>();
        await foreach (var (objectId, info) in ListObjectsAsync(store, BlobKind.Key, cancellationToken).ConfigureAwait(false))
        {
            byte[] bytes;
            try
            {
                bytes = await store.GetAsync(info.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (BlobNotFoundException)
            {
                continue; // removed concurrently
            }

            KeyFile file;
            try
            {
                file = KeyFile.Parse(bytes, info.Name.ToString());
            }
            catch (RepositoryCorruptException)
            {
                damaged.Add(info.Name.ToString());
                continue;
            }
            catch (UnsupportedFormatException)
            {
                // A key written by a newer hort; another key may still open the repository.
                newer.Add(info.Name.ToString());
                continue;
            }

            if (file.TryUnwrap(passwordBytes, out var key) && key is not null)
            {
                return (key, objectId);
            }
        }

        if (newer.Count > 0)
        {
            throw new UnsupportedFormatException($"no key opens with this password; {string.Join(", ", newer)} use(s) a newer key format — that password may need a newer hort");
        }

        if (damaged.Count > 0)
        {
            throw new HortException($"wrong password, or its key file is damaged ({string.Join(", ", damaged)} could not be read)");
        }

        throw new WrongPasswordException();
    }

    internal static async Task<ObjectId> WriteKeyFileAsync(
        IBlobStore store, MasterKey key, string password, KeyDerivationCost cost, string hostname, string username,
        TimeProvider time, CancellationToken cancellationToken)
    {
        CheckPassword(password);
        var file = KeyFile.Create(key, Encoding.UTF8.GetBytes(password), hostname, username, time.GetUtcNow(), cost.OpsLimit, cost.MemLimit);
        return await PutContentAddressedAsync(store, BlobKind.Key, file.Serialize(), cancellationToken).ConfigureAwait(false);
    }

    private static void CheckPassword(string password)
    {
        if (string.IsNullOrEmpty(password))
        {
            throw new HortException("an empty password is not allowed");
        }
    }

    public void Dispose() => Key.Dispose();
}
