using System.Runtime.InteropServices;
using System.Text;

namespace Hort.Engine.Tests.FileSystem;

/// <summary>Direct libc calls the tests use to build fixtures, independent of the code under test.</summary>
internal static unsafe partial class Syscalls
{
    internal const int ENOENT = 2, EEXIST = 17, ENOTDIR = 20, EISDIR = 21, ENAMETOOLONG = 36, ELOOP = 40, EOPNOTSUPP = 95;
    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200;
    private const int O_WRONLY = 1, O_CREAT = 0x40, O_TRUNC = 0x200, O_CLOEXEC = 0x80000, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000;

    internal const uint S_IFSOCK = 0xC000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;

    public static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Permission bits written the way people read them, e.g. Octal("4755").</summary>
    public static uint Octal(string digits) => Convert.ToUInt32(digits, 8);

    public static void MakeDirectory(byte[] path, uint mode = 0x1ED /* 0755 */) =>
        Check(mkdir(Z(path), mode), "mkdir", path);

    public static void WriteFile(byte[] path, byte[] content)
    {
        int fd = open(Z(path), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0x1A4 /* 0644 */);
        Check(fd, "open", path);
        try
        {
            fixed (byte* c = content)
            {
                Check((int)write(fd, c, (nuint)content.Length), "write", path);
            }
        }
        finally
        {
            close(fd);
        }
    }

    public static void Symlink(byte[] target, byte[] path) => Check(symlink(Z(target), Z(path)), "symlink", path);

    public static void HardLink(byte[] existing, byte[] path) => Check(link(Z(existing), Z(path)), "link", path);

    public static void MakeNode(byte[] path, uint modeWithType, ulong device) => Check(mknod(Z(path), modeWithType, device), "mknod", path);

    public static void Chown(byte[] path, uint uid, uint gid) => Check(lchown(Z(path), uid, gid), "lchown", path);

    public static void Chmod(byte[] path, uint mode) => Check(chmod(Z(path), mode), "chmod", path);

    public static void SetTimes(byte[] path, long accessSeconds, long accessNanos, long modifySeconds, long modifyNanos)
    {
        long* times = stackalloc long[4] { accessSeconds, accessNanos, modifySeconds, modifyNanos };
        Check(utimensat(AT_FDCWD, Z(path), times, AT_SYMLINK_NOFOLLOW), "utimensat", path);
    }

    /// <summary>Sets an xattr without following; returns 0 or the errno (so callers can skip on EOPNOTSUPP).</summary>
    public static int TrySetXattr(byte[] path, string name, byte[] value)
    {
        fixed (byte* v = value)
        {
            return lsetxattr(Z(path), Z(Bytes(name)), v, (nuint)value.Length, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>The value of an xattr read without following, or null when absent.</summary>
    public static byte[]? GetXattr(byte[] path, string name)
    {
        byte[] buffer = new byte[65536];
        fixed (byte* b = buffer)
        {
            nint length = lgetxattr(Z(path), Z(Bytes(name)), b, (nuint)buffer.Length);
            return length < 0 ? null : buffer.AsSpan(0, (int)length).ToArray();
        }
    }

    /// <summary>Removes a tree of any depth and any names, walking by descriptors like <c>rm -rf</c>.</summary>
    public static void RemoveTree(byte[] path)
    {
        int fd = open(Z(path), O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd < 0)
        {
            unlinkat(AT_FDCWD, Z(path), 0);
            return;
        }
        EmptyDirectory(fd);
        close(fd);
        unlinkat(AT_FDCWD, Z(path), AT_REMOVEDIR);
    }

    private static void EmptyDirectory(int fd)
    {
        using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle((IntPtr)fd, ownsHandle: false);
        foreach (byte[] name in Hort.Engine.FileSystem.PosixFileSystem.ReadDirectory(handle))
        {
            byte[] n = Z(name);
            int child = openat(fd, n, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            if (child >= 0)
            {
                EmptyDirectory(child);
                close(child);
                unlinkat(fd, n, AT_REMOVEDIR);
            }
            else
            {
                unlinkat(fd, n, 0);
            }
        }
    }

    /// <summary>A NUL-terminated copy, for the imports below (which pin it for the call).</summary>
    private static byte[] Z(byte[] text) => [.. text, 0];

    private static void Check(int result, string operation, byte[] path)
    {
        if (result < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{operation} {Encoding.UTF8.GetString(path)} failed: errno {errno}");
        }
    }

    [LibraryImport("libc", SetLastError = true)] private static partial int mkdir(byte[] path, uint mode);
    [LibraryImport("libc", SetLastError = true)] private static partial int open(byte[] path, int flags, uint mode);
    [LibraryImport("libc", SetLastError = true)] private static partial int openat(int dirfd, byte[] path, int flags, uint mode);
    [LibraryImport("libc", SetLastError = true)] private static partial nint write(int fd, byte* buffer, nuint count);
    [LibraryImport("libc", SetLastError = true)] private static partial int close(int fd);
    [LibraryImport("libc", SetLastError = true)] private static partial int symlink(byte[] target, byte[] path);
    [LibraryImport("libc", SetLastError = true)] private static partial int link(byte[] existing, byte[] path);
    [LibraryImport("libc", SetLastError = true)] private static partial int mknod(byte[] path, uint mode, ulong device);
    [LibraryImport("libc", SetLastError = true)] private static partial int lchown(byte[] path, uint uid, uint gid);
    [LibraryImport("libc", SetLastError = true)] private static partial int chmod(byte[] path, uint mode);
    [LibraryImport("libc", SetLastError = true)] private static partial int utimensat(int dirfd, byte[] path, long* times, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial int lsetxattr(byte[] path, byte[] name, byte* value, nuint size, int flags);
    [LibraryImport("libc", SetLastError = true)] private static partial nint lgetxattr(byte[] path, byte[] name, byte* value, nuint size);
    [LibraryImport("libc", SetLastError = true)] private static partial int unlinkat(int dirfd, byte[] path, int flags);
}
