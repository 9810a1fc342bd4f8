using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.FileSystem;

/// <summary>
/// Sets metadata through an open descriptor, so it lands on exactly the file or directory that was created.
/// Order matters: owner first (chown clears setuid/setgid and security.capability), then extended attributes
/// (user.* needs write permission, which a read-only mode would take away from a non-root restore), then mode,
/// then times last (writing changes them).
/// </summary>
[SkipLocalsInit]
public static unsafe class FileHandleMetadata
{
    /// <summary>fchown. Needs root unless the ids are the caller's own; clears setuid/setgid, so set the mode afterwards.</summary>
    public static void SetOwner(SafeFileHandle fd, uint uid, uint gid)
    {
        if (LibC.fchown(fd, uid, gid) != 0)
        {
            throw Failure("chown", fd);
        }
    }

    /// <summary>fchmod with the permission bits (07777) of <paramref name="mode"/>, setuid/setgid/sticky included.</summary>
    public static void SetMode(SafeFileHandle fd, uint mode)
    {
        if (LibC.fchmod(fd, mode & 0xFFFu) != 0)
        {
            throw Failure("chmod", fd);
        }
    }

    /// <summary>futimens with nanosecond access and modification times.</summary>
    public static void SetTimes(SafeFileHandle fd, UnixTime access, UnixTime modify)
    {
        LibC.Timespec* times = stackalloc LibC.Timespec[2];
        times[0] = ToTimespec(access);
        times[1] = ToTimespec(modify);
        if (LibC.futimens(fd, times) != 0)
        {
            throw Failure("utimens", fd);
        }
    }

    /// <summary>fsetxattr, creating or replacing the attribute <paramref name="name"/> (e.g. "user.x") with a value of any bytes.</summary>
    public static void SetExtendedAttribute(SafeFileHandle fd, byte[] name, byte[] value)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = NativePath.Terminate(name, scratch))
        fixed (byte* v = value)
        {
            if (LibC.fsetxattr(fd, n, v, (nuint)value.Length, 0) != 0)
            {
                throw Failure($"setxattr {PosixFileSystem.Display(name)} on", fd);
            }
        }
    }

    /// <summary>ftruncate: extending leaves a hole, so a sparse file's zero runs need not be written.</summary>
    public static void SetLength(SafeFileHandle fd, long length)
    {
        if (LibC.ftruncate(fd, length) != 0)
        {
            throw Failure("truncate", fd);
        }
    }

    internal static LibC.Timespec ToTimespec(UnixTime time) => new() { Seconds = time.Seconds, Nanoseconds = time.Nanoseconds };

    private static PosixException Failure(string operation, SafeFileHandle fd)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new PosixException(operation, PosixFileSystem.Describe(fd), errno);
    }
}
