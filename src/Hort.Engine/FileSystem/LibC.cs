using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.FileSystem;

/// <summary>The glibc calls the file-system layer needs (x86_64 Linux), with byte paths so names keep their exact bytes.</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc";

    // errno values (asm-generic, same on x86_64).
    internal const int EPERM = 1, ENOENT = 2, EINTR = 4, ENXIO = 6, EBADF = 9, EACCES = 13, EEXIST = 17, ENOTDIR = 20,
        EISDIR = 21, EINVAL = 22, ERANGE = 34, ENAMETOOLONG = 36, ENOSYS = 38, ELOOP = 40, ENODATA = 61, EOPNOTSUPP = 95;

    // open(2) flags for x86_64.
    internal const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100, O_NONBLOCK = 0x800,
        O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_NOATIME = 0x40000, O_CLOEXEC = 0x80000, O_PATH = 0x200000;

    internal const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;

    internal const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000, S_IFREG = 0x8000, S_IFBLK = 0x6000,
        S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;

    internal const uint STATX_BASIC_STATS = 0x7FF;
    internal const int SEEK_SET = 0, SEEK_DATA = 3, SEEK_HOLE = 4;
    internal const int F_GETFL = 3, F_SETFL = 4;

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int statx(int dirfd, byte* path, int flags, uint mask, out Statx buffer);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int statx(SafeHandle dirfd, byte* path, int flags, uint mask, out Statx buffer);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int openat(int dirfd, byte* path, int flags, uint mode);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int openat(SafeHandle dirfd, byte* path, int flags, uint mode);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int close(int fd);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int fcntl(SafeHandle fd, int command, int argument);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint getdents64(SafeHandle fd, byte* buffer, nuint length);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial long lseek(SafeHandle fd, long offset, int whence);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint readlinkat(int dirfd, byte* path, byte* buffer, nuint size);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint readlinkat(SafeHandle dirfd, byte* path, byte* buffer, nuint size);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint llistxattr(byte* path, byte* list, nuint size);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint lgetxattr(byte* path, byte* name, byte* value, nuint size);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint listxattr(byte* path, byte* list, nuint size);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint getxattr(byte* path, byte* name, byte* value, nuint size);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint flistxattr(SafeHandle fd, byte* list, nuint size);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint fgetxattr(SafeHandle fd, byte* name, byte* value, nuint size);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int setxattr(byte* path, byte* name, byte* value, nuint size, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int fsetxattr(SafeHandle fd, byte* name, byte* value, nuint size, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int mkdir(byte* path, uint mode);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int mkdirat(SafeHandle dirfd, byte* name, uint mode);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int unlinkat(SafeHandle dirfd, byte* name, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int symlinkat(byte* target, SafeHandle dirfd, byte* name);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int linkat(SafeHandle olddirfd, byte* oldName, SafeHandle newdirfd, byte* newName, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int mknodat(SafeHandle dirfd, byte* name, uint mode, ulong device);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int fchownat(SafeHandle dirfd, byte* name, uint uid, uint gid, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int fchown(SafeHandle fd, uint uid, uint gid);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int chmod(byte* path, uint mode);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int fchmod(SafeHandle fd, uint mode);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int utimensat(SafeHandle dirfd, byte* name, Timespec* times, int flags);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int futimens(SafeHandle fd, Timespec* times);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int ftruncate(SafeHandle fd, long length);

    [LibraryImport(Library)]
    internal static partial uint geteuid();

    [LibraryImport(Library)]
    internal static partial uint getuid();

    [LibraryImport(Library)]
    internal static partial uint getgid();

    [LibraryImport(Library)]
    internal static partial int getpwuid_r(uint uid, Passwd* entry, byte* buffer, nuint length, Passwd** result);

    [LibraryImport(Library)]
    internal static partial int getpwnam_r(byte* name, Passwd* entry, byte* buffer, nuint length, Passwd** result);

    [LibraryImport(Library)]
    internal static partial int getgrgid_r(uint gid, Group* entry, byte* buffer, nuint length, Group** result);

    [LibraryImport(Library)]
    internal static partial int getgrnam_r(byte* name, Group* entry, byte* buffer, nuint length, Group** result);

    /// <summary>Wraps a descriptor so that it is closed exactly once and works with <see cref="RandomAccess"/>.</summary>
    internal static SafeFileHandle Own(int fd) => new((IntPtr)fd, ownsHandle: true);

    /// <summary><c>struct timespec</c> on x86_64.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    /// <summary><c>struct passwd</c> on x86_64 glibc; only the fields we read.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Passwd
    {
        public byte* Name;
        public byte* Password;
        public uint Uid;
        public uint Gid;
        public byte* Gecos;
        public byte* Home;
        public byte* Shell;
    }

    /// <summary><c>struct group</c> on x86_64 glibc.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Group
    {
        public byte* Name;
        public byte* Password;
        public uint Gid;
        public byte** Members;
    }
}
