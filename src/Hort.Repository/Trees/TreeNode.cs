using Hort.Core;

namespace Hort.Repository.Trees;

/// <summary>What a tree node describes. The byte values are part of the format.</summary>
public enum NodeType : byte
{
    File = 1,
    Directory = 2,
    Symlink = 3,
    Fifo = 4,
    CharDevice = 5,
    BlockDevice = 6,
    Socket = 7,
}

/// <summary>Seconds and nanoseconds since the Unix epoch.</summary>
public readonly record struct Timestamp(long Seconds, uint Nanoseconds)
{
    /// <summary>As a <see cref="DateTimeOffset"/> (100 ns precision).</summary>
    public DateTimeOffset ToDateTimeOffset() =>
        DateTimeOffset.UnixEpoch.AddSeconds(Seconds).AddTicks(Nanoseconds / 100);
}

/// <summary>One extended attribute: name and value, both raw bytes.</summary>
public sealed record ExtendedAttribute(byte[] Name, byte[] Value);

/// <summary>One entry of a directory as recorded in a snapshot: its name as raw bytes and all its metadata.</summary>
public sealed record TreeNode
{
    /// <summary>The name as the file system stored it (any bytes but '/' and NUL).</summary>
    public required byte[] Name { get; init; }

    public required NodeType Type { get; init; }

    /// <summary>Permission bits including setuid, setgid and sticky (st_mode &amp; 07777).</summary>
    public uint Mode { get; init; }

    public uint Uid { get; init; }

    public uint Gid { get; init; }

    /// <summary>Owner's user name at backup time; empty when unknown.</summary>
    public string User { get; init; } = "";

    /// <summary>Owner's group name at backup time; empty when unknown.</summary>
    public string Group { get; init; } = "";

    public Timestamp ModifyTime { get; init; }

    public Timestamp AccessTime { get; init; }

    public Timestamp ChangeTime { get; init; }

    /// <summary>Inode number at backup time (hard-link detection).</summary>
    public ulong Inode { get; init; }

    /// <summary>Device holding the entry at backup time (hard-link detection).</summary>
    public ulong Device { get; init; }

    /// <summary>Number of hard links at backup time.</summary>
    public uint LinkCount { get; init; }

    /// <summary>st_rdev of character and block devices.</summary>
    public ulong DeviceNumber { get; init; }

    /// <summary>Size of a regular file in bytes (the sum of its chunk lengths).</summary>
    public ulong Size { get; init; }

    /// <summary>The symlink's target, verbatim.</summary>
    public byte[] LinkTarget { get; init; } = [];

    /// <summary>Extended attributes, sorted by name.</summary>
    public IReadOnlyList<ExtendedAttribute> ExtendedAttributes { get; init; } = [];

    /// <summary>Chunk IDs of a regular file's content, in order.</summary>
    public IReadOnlyList<ObjectId> Content { get; init; } = [];

    /// <summary>The tree blob of a directory's entries.</summary>
    public ObjectId Subtree { get; init; }

    /// <summary>The name for display: UTF-8 where valid, other bytes as \xNN.</summary>
    public string DisplayName => NameText.Display(Name);
}
