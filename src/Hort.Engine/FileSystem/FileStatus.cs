namespace Hort.Engine.FileSystem;

/// <summary>What <c>statx</c> says about one entry; <paramref name="Mode"/> holds only the permission bits (<c>st_mode &amp; 07777</c>).</summary>
/// <param name="Mode">Permission bits including setuid (04000), setgid (02000) and sticky (01000).</param>
/// <param name="Device">The device holding the entry (<c>st_dev</c>, glibc <c>makedev</c> encoding).</param>
/// <param name="DeviceNumber">For character and block devices the device they stand for (<c>st_rdev</c>); otherwise 0.</param>
/// <param name="AllocatedBytes">Space the entry occupies on disk (<c>st_blocks * 512</c>); below <paramref name="Size"/> for sparse files.</param>
public sealed record FileStatus(
    EntryType Type,
    uint Mode,
    uint Uid,
    uint Gid,
    long Size,
    UnixTime ModifyTime,
    UnixTime AccessTime,
    UnixTime ChangeTime,
    ulong Inode,
    ulong Device,
    uint LinkCount,
    ulong DeviceNumber,
    long AllocatedBytes);
