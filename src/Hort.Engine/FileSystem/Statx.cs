using System.Runtime.InteropServices;

namespace Hort.Engine.FileSystem;

/// <summary>The kernel's <c>struct statx</c>: the same layout on every architecture, 256 bytes with reserved space.</summary>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal struct Statx
{
    [FieldOffset(0)] public uint Mask;
    [FieldOffset(4)] public uint BlockSize;
    [FieldOffset(8)] public ulong Attributes;
    [FieldOffset(16)] public uint LinkCount;
    [FieldOffset(20)] public uint Uid;
    [FieldOffset(24)] public uint Gid;
    [FieldOffset(28)] public ushort Mode;
    [FieldOffset(32)] public ulong Inode;
    [FieldOffset(40)] public ulong Size;
    [FieldOffset(48)] public ulong Blocks;
    [FieldOffset(56)] public ulong AttributesMask;
    [FieldOffset(64)] public StatxTimestamp AccessTime;
    [FieldOffset(80)] public StatxTimestamp BirthTime;
    [FieldOffset(96)] public StatxTimestamp ChangeTime;
    [FieldOffset(112)] public StatxTimestamp ModifyTime;
    [FieldOffset(128)] public uint RdevMajor;
    [FieldOffset(132)] public uint RdevMinor;
    [FieldOffset(136)] public uint DevMajor;
    [FieldOffset(140)] public uint DevMinor;

    public readonly FileStatus ToFileStatus() => new(
        TypeOf(Mode),
        Mode & 0xFFFu,
        Uid,
        Gid,
        (long)Size,
        ModifyTime.ToUnixTime(),
        AccessTime.ToUnixTime(),
        ChangeTime.ToUnixTime(),
        Inode,
        DeviceNumbers.Make(DevMajor, DevMinor),
        LinkCount,
        DeviceNumbers.Make(RdevMajor, RdevMinor),
        (long)Blocks * 512);

    internal static EntryType TypeOf(uint mode) => (mode & LibC.S_IFMT) switch
    {
        LibC.S_IFREG => EntryType.File,
        LibC.S_IFDIR => EntryType.Directory,
        LibC.S_IFLNK => EntryType.Symlink,
        LibC.S_IFIFO => EntryType.Fifo,
        LibC.S_IFCHR => EntryType.CharDevice,
        LibC.S_IFBLK => EntryType.BlockDevice,
        LibC.S_IFSOCK => EntryType.Socket,
        _ => throw new IOException($"unknown file type in mode 0{Convert.ToString(mode, 8)}"),
    };
}

/// <summary><c>struct statx_timestamp</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct StatxTimestamp
{
    public long Seconds;
    public uint Nanoseconds;
    private readonly int _reserved;

    public readonly UnixTime ToUnixTime() => new(Seconds, Nanoseconds);
}
