using System.Runtime.InteropServices;

namespace Hort.Engine.Tests.Support;

/// <summary>
/// The libc calls the end-to-end tests build fixtures and inspect results with, independent of the product's own
/// file-system layer. Everything works relative to directory descriptors, so paths of any length are reachable.
/// </summary>
internal static unsafe partial class Libc
{
    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200;
    public const int O_NONBLOCK = 0x800, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_NOATIME = 0x40000;
    public const int O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    public const int ENOENT = 2, ENODATA = 61;
    private const int SEEK_DATA = 3, SEEK_HOLE = 4;

    public const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000, S_IFREG = 0x8000, S_IFBLK = 0x6000;
    public const uint S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;

    /// <summary>struct stat as glibc lays it out on x86_64.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Stat
    {
        public ulong Device;
        public ulong Inode;
        public ulong LinkCount;
        public uint Mode;
        public uint Uid;
        public uint Gid;
        private readonly int _pad;
        public ulong DeviceNumber;
        public long Size;
        public long BlockSize;
        public long Blocks;
        public long AccessSeconds;
        public long AccessNanoseconds;
        public long ModifySeconds;
        public long ModifyNanoseconds;
        public long ChangeSeconds;
        public long ChangeNanoseconds;
        private readonly long _reserved0, _reserved1, _reserved2;
    }

    public static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xFFFu) << 8) | ((ulong)(major & ~0xFFFu) << 32) | (minor & 0xFFu) | ((ulong)(minor & ~0xFFu) << 12);

    /// <summary>A NUL-terminated copy of a name or path.</summary>
    public static byte[] Z(ReadOnlySpan<byte> text) => [.. text, 0];

    public static int Check(int result, string operation, ReadOnlySpan<byte> name)
    {
        if (result < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{operation} {Hort.Engine.FileSystem.PosixFileSystem.Display(name)} failed: errno {errno}");
        }

        return result;
    }

    /// <summary>Opens a directory without following a symlink at <paramref name="name"/>.</summary>
    public static int OpenDirectory(int dirfd, ReadOnlySpan<byte> name) =>
        Check(openat(dirfd, Z(name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME, 0), "opendir", name);

    public static Stat LStat(int dirfd, ReadOnlySpan<byte> name)
    {
        Check(fstatat(dirfd, Z(name), out var st, AT_SYMLINK_NOFOLLOW), "lstat", name);
        return st;
    }

    public static Stat? TryLStat(int dirfd, ReadOnlySpan<byte> name) =>
        fstatat(dirfd, Z(name), out var st, AT_SYMLINK_NOFOLLOW) == 0 ? st : null;

    public static Stat LStat(ReadOnlySpan<byte> path) => LStat(AT_FDCWD, path);

    public static Stat? TryLStat(ReadOnlySpan<byte> path) => TryLStat(AT_FDCWD, path);

    /// <summary>The names in an open directory, without "." and "..", in the order the kernel gives them.</summary>
    public static List<byte[]> ListNames(int dirfd)
    {
        // fdopendir takes ownership of the descriptor it is given, so it gets a duplicate.
        var dir = fdopendir(Check(dup(dirfd), "dup", "directory"u8));
        if (dir == 0)
        {
            throw new IOException($"fdopendir failed: errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            rewinddir(dir);
            var names = new List<byte[]>();
            while (true)
            {
                Marshal.SetLastPInvokeError(0);
                var entry = (byte*)readdir64(dir);
                if (entry == null)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    return errno == 0 ? names : throw new IOException($"readdir failed: errno {errno}");
                }

                // struct dirent64: d_ino, d_off (8 bytes each), d_reclen (2), d_type (1), then the name.
                var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(entry + 19);
                if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
                {
                    names.Add(name.ToArray());
                }
            }
        }
        finally
        {
            closedir(dir);
        }
    }

    public static byte[] ReadLink(int dirfd, ReadOnlySpan<byte> name)
    {
        var buffer = new byte[65536];
        fixed (byte* b = buffer)
        {
            var length = readlinkat(dirfd, Z(name), b, (nuint)buffer.Length);
            Check((int)Math.Min(length, 0), "readlink", name);
            return buffer.AsSpan(0, (int)length).ToArray();
        }
    }

    /// <summary>Reads a whole regular file (without following a symlink or touching its access time).</summary>
    public static byte[] ReadFile(int dirfd, ReadOnlySpan<byte> name)
    {
        var fd = Check(openat(dirfd, Z(name), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME, 0), "open", name);
        try
        {
            using var data = new MemoryStream();
            var buffer = new byte[1 << 20];
            fixed (byte* b = buffer)
            {
                while (true)
                {
                    var read = read_(fd, b, (nuint)buffer.Length);
                    Check((int)Math.Min(read, 0), "read", name);
                    if (read == 0) return data.ToArray();
                    data.Write(buffer, 0, (int)read);
                }
            }
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>
    /// A digest of a regular file's bytes: SHA-256 over (offset, bytes) of every aligned 64 KiB block that is not all
    /// zeros. Equal for byte-identical files of equal size however their holes lie, and holes are skipped
    /// (SEEK_DATA), so a 1 GiB sparse file costs only its data.
    /// </summary>
    public static string HashFile(int dirfd, ReadOnlySpan<byte> name)
    {
        const int Block = 65536;
        var fd = Check(openat(dirfd, Z(name), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME, 0), "open", name);
        try
        {
            using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            var buffer = new byte[Block];
            Span<byte> offsetBytes = stackalloc byte[8];
            long position = 0;
            while (true)
            {
                var data = lseek(fd, position, SEEK_DATA);
                if (data < 0) break; // ENXIO: only a hole (or nothing) is left
                var hole = lseek(fd, data, SEEK_HOLE);
                Check((int)Math.Min(hole, 0), "lseek", name);
                for (var block = data / Block * Block; block < hole; block += Block)
                {
                    var filled = 0;
                    fixed (byte* b = buffer)
                    {
                        while (filled < Block)
                        {
                            var read = pread(fd, b + filled, (nuint)(Block - filled), block + filled);
                            Check((int)Math.Min(read, 0), "read", name);
                            if (read == 0) break;
                            filled += (int)read;
                        }
                    }

                    if (buffer.AsSpan(0, filled).IndexOfAnyExcept((byte)0) >= 0)
                    {
                        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(offsetBytes, block);
                        hash.AppendData(offsetBytes);
                        hash.AppendData(buffer, 0, filled);
                    }
                }

                position = (hole + Block - 1) / Block * Block;
            }

            return Convert.ToHexStringLower(hash.GetHashAndReset());
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>Extended attributes of an entry, not following it: pinned with O_PATH and read through /proc/self/fd.</summary>
    public static SortedDictionary<string, byte[]> ExtendedAttributes(int dirfd, ReadOnlySpan<byte> name)
    {
        var pinned = Check(openat(dirfd, Z(name), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0), "open O_PATH", name);
        try
        {
            var proc = Z(System.Text.Encoding.ASCII.GetBytes($"/proc/self/fd/{pinned}"));
            var list = new byte[65536];
            nint length;
            fixed (byte* l = list)
            {
                length = listxattr(proc, l, (nuint)list.Length);
            }

            var result = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
            if (length < 0)
            {
                return result; // file systems without xattrs (or entries that cannot have any)
            }

            var value = new byte[65536];
            var names = list.AsSpan(0, (int)length);
            while (!names.IsEmpty)
            {
                var end = names.IndexOf((byte)0);
                var attrName = names[..end];
                names = names[(end + 1)..];
                fixed (byte* v = value)
                {
                    var size = getxattr(proc, Z(attrName), v, (nuint)value.Length);
                    Check((int)Math.Min(size, 0), "getxattr", name);
                    result[System.Text.Encoding.UTF8.GetString(attrName)] = value.AsSpan(0, (int)size).ToArray();
                }
            }

            return result;
        }
        finally
        {
            close(pinned);
        }
    }

    public static void MakeDirectory(int dirfd, ReadOnlySpan<byte> name, uint mode = 0x1ED) =>
        Check(mkdirat(dirfd, Z(name), mode), "mkdir", name);

    public static void WriteFile(int dirfd, ReadOnlySpan<byte> name, ReadOnlySpan<byte> content, uint mode = 0x1A4)
    {
        var fd = Check(openat(dirfd, Z(name), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode), "create", name);
        try
        {
            WriteAt(fd, content, 0, name);
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>Writes <paramref name="content"/> at <paramref name="offset"/> of an open file, all of it.</summary>
    public static void WriteAt(int fd, ReadOnlySpan<byte> content, long offset, ReadOnlySpan<byte> shown)
    {
        fixed (byte* c = content)
        {
            var done = 0;
            while (done < content.Length)
            {
                var written = pwrite(fd, c + done, (nuint)(content.Length - done), offset + done);
                Check((int)Math.Min(written, 0), "write", shown);
                done += (int)written;
            }
        }
    }

    public static int OpenForWriting(int dirfd, ReadOnlySpan<byte> name) =>
        Check(openat(dirfd, Z(name), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0x1A4), "open", name);

    public static void Truncate(int fd, long length) => Check(ftruncate(fd, length), "ftruncate", "file"u8);

    public static void Symlink(ReadOnlySpan<byte> target, int dirfd, ReadOnlySpan<byte> name) =>
        Check(symlinkat(Z(target), dirfd, Z(name)), "symlink", name);

    public static void HardLink(int existingDir, ReadOnlySpan<byte> existing, int dirfd, ReadOnlySpan<byte> name) =>
        Check(linkat(existingDir, Z(existing), dirfd, Z(name), 0), "link", name);

    public static void MakeNode(int dirfd, ReadOnlySpan<byte> name, uint modeWithType, ulong device) =>
        Check(mknodat(dirfd, Z(name), modeWithType, device), "mknod", name);

    public static void Chown(int dirfd, ReadOnlySpan<byte> name, uint uid, uint gid) =>
        Check(fchownat(dirfd, Z(name), uid, gid, AT_SYMLINK_NOFOLLOW), "chown", name);

    /// <summary>chmod of a non-symlink entry (fchmodat follows a symlink, so never call it on one).</summary>
    public static void Chmod(int dirfd, ReadOnlySpan<byte> name, uint mode) =>
        Check(fchmodat(dirfd, Z(name), mode, 0), "chmod", name);

    /// <summary>Sets access and modification time with nanoseconds, not following a symlink.</summary>
    public static void SetTimes(int dirfd, ReadOnlySpan<byte> name, long seconds, long nanoseconds)
    {
        var times = stackalloc long[4] { seconds - 1000, 0, seconds, nanoseconds };
        Check(utimensat(dirfd, Z(name), times, AT_SYMLINK_NOFOLLOW), "utimensat", name);
    }

    public static void SetExtendedAttribute(ReadOnlySpan<byte> path, string attribute, ReadOnlySpan<byte> value)
    {
        fixed (byte* v = value)
        {
            Check(lsetxattr(Z(path), Z(System.Text.Encoding.UTF8.GetBytes(attribute)), v, (nuint)value.Length, 0), "setxattr", path);
        }
    }

    public static void Unlink(int dirfd, ReadOnlySpan<byte> name, bool directory = false) =>
        Check(unlinkat(dirfd, Z(name), directory ? AT_REMOVEDIR : 0), "unlink", name);

    /// <summary>Creates a socket inode by binding a Unix socket to <paramref name="path"/> (shorter than 108 bytes).</summary>
    public static void MakeSocketFile(string path)
    {
        using var socket = new System.Net.Sockets.Socket(
            System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
    }

    [LibraryImport("libc", SetLastError = true)] public static partial int openat(int dirfd, byte[] path, int flags, uint mode);
    [LibraryImport("libc", SetLastError = true)] public static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int dup(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int fstatat(int dirfd, byte[] path, out Stat st, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial nint fdopendir(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial nint readdir64(nint dir);
    [LibraryImport("libc", SetLastError = true)] private static partial void rewinddir(nint dir);
    [LibraryImport("libc", SetLastError = true)] private static partial int closedir(nint dir);
    [LibraryImport("libc", SetLastError = true)] private static partial nint readlinkat(int dirfd, byte[] path, byte* buffer, nuint size);
    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)] private static partial nint read_(int fd, byte* buffer, nuint count);
    [LibraryImport("libc", SetLastError = true)] private static partial nint pread(int fd, byte* buffer, nuint count, long offset);
    [LibraryImport("libc", SetLastError = true)] private static partial long lseek(int fd, long offset, int whence);
    [LibraryImport("libc", SetLastError = true)] private static partial nint pwrite(int fd, byte* buffer, nuint count, long offset);
    [LibraryImport("libc", SetLastError = true)] private static partial int ftruncate(int fd, long length);
    [LibraryImport("libc", SetLastError = true)] private static partial nint listxattr(byte[] path, byte* list, nuint size);
    [LibraryImport("libc", SetLastError = true)] private static partial nint getxattr(byte[] path, byte[] name, byte* value, nuint size);
    [LibraryImport("libc", SetLastError = true)] private static partial int lsetxattr(byte[] path, byte[] name, byte* value, nuint size, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int mkdirat(int dirfd, byte[] path, uint mode);
    [LibraryImport("libc", SetLastError = true)] private static partial int symlinkat(byte[] target, int dirfd, byte[] path);
    [LibraryImport("libc", SetLastError = true)] private static partial int linkat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int mknodat(int dirfd, byte[] path, uint mode, ulong device);
    [LibraryImport("libc", SetLastError = true)] private static partial int fchownat(int dirfd, byte[] path, uint uid, uint gid, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int fchmodat(int dirfd, byte[] path, uint mode, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int utimensat(int dirfd, byte[] path, long* times, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int unlinkat(int dirfd, byte[] path, int flags);
}
