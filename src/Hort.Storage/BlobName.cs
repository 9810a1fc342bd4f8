using Hort.Core;

namespace Hort.Storage;

/// <summary>The kinds of blob a repository stores; each kind lives in its own namespace (folder).</summary>
public enum BlobKind
{
    /// <summary>The single repository configuration blob, named "config".</summary>
    Config,

    /// <summary>Key files: the master key wrapped by a passphrase.</summary>
    Key,

    /// <summary>Pack files holding encrypted chunks and trees.</summary>
    Pack,

    /// <summary>Index files listing which pack holds which blob.</summary>
    Index,

    /// <summary>Snapshot objects.</summary>
    Snapshot,

    /// <summary>Lock objects: held by a maintenance run (prune) that must not run twice at once.</summary>
    Lock,

    /// <summary>Leases: written by each running backup so that prune never deletes what it may rely on.</summary>
    Lease,

    /// <summary>Deletion records: the packs and index files a prune is waiting to delete.</summary>
    Deletion,

    /// <summary>Repository settings records (the history lock), each kept for good once written.</summary>
    Setting,

    /// <summary>Damaged packs moved aside by repair; never read as part of the repository, never deleted by it.</summary>
    Quarantine,

    /// <summary>Damage records: which files of a snapshot repair found lost, one per damaged snapshot.</summary>
    Damage,

    /// <summary>The server's state documents (administrators, PCs, groups, policies), written by hortd.</summary>
    ServerState,
}

/// <summary>The address of one blob: its kind and name. Names are lower-case hex, except the config blob.</summary>
public readonly record struct BlobName
{
    /// <summary>The name of the single <see cref="BlobKind.Config"/> blob.</summary>
    public const string ConfigName = "config";

    public BlobName(BlobKind kind, string name)
    {
        if (!IsValid(kind, name))
        {
            throw new ArgumentException($"'{name}' is not a valid {kind} blob name.", nameof(name));
        }

        Kind = kind;
        Name = name;
    }

    public BlobKind Kind { get; }

    public string Name { get; }

    /// <summary>The config blob.</summary>
    public static BlobName Config => new(BlobKind.Config, ConfigName);

    /// <summary>A blob named by an ID.</summary>
    public static BlobName For(BlobKind kind, ObjectId id) => new(kind, id.ToString());

    /// <summary>True when <paramref name="name"/> is a legal name for <paramref name="kind"/>.</summary>
    public static bool IsValid(BlobKind kind, string? name) => kind == BlobKind.Config
        ? name == ConfigName
        : name is { Length: >= 2 and <= 128 } && Hex.IsLowerHex(name);

    public override string ToString() => Kind switch
    {
        BlobKind.Config => ConfigName,
        BlobKind.Key => $"keys/{Name}",
        BlobKind.Pack => $"data/{Name[..2]}/{Name}",
        BlobKind.Index => $"index/{Name}",
        BlobKind.Snapshot => $"snapshots/{Name}",
        BlobKind.Lock => $"locks/{Name}",
        BlobKind.Lease => $"leases/{Name}",
        BlobKind.Deletion => $"deletions/{Name}",
        BlobKind.Setting => $"settings/{Name}",
        BlobKind.Quarantine => $"quarantine/{Name}",
        BlobKind.Damage => $"damage/{Name}",
        BlobKind.ServerState => $"server/{Name}",
        _ => Name,
    };
}

/// <summary>A blob's name and size in bytes.</summary>
public sealed record BlobInfo(BlobName Name, long Length);

/// <summary>The requested blob does not exist.</summary>
public sealed class BlobNotFoundException : HortException
{
    public BlobNotFoundException(BlobName name) : base($"{name}: not found in the repository")
    {
        Blob = name;
    }

    public BlobName Blob { get; }
}

/// <summary>The storage device has no space left; nothing was stored.</summary>
public sealed class StorageFullException : HortException
{
    public StorageFullException(string location, Exception? inner = null)
        : base($"no space left on the storage at {location}; nothing was stored for this operation", inner)
    {
    }
}
