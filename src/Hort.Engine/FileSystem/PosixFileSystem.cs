using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.FileSystem;

/// <summary>
/// Reads a Linux file system with exact name bytes, full metadata and without following symlinks.
/// </summary>
/// <remarks>
/// Calls that take a whole path are subject to the kernel's PATH_MAX (4096 bytes including the NUL) and fail
/// with ENAMETOOLONG beyond it; the "At" variants take an open directory and a single name, so a walk that keeps
/// directory handles open can reach any depth.
/// </remarks>
[SkipLocalsInit]
public static unsafe partial class PosixFileSystem
{
    /// <summary>Whether the process runs with effective user id 0 (may chown, create devices, read every file).</summary>
    public static bool IsRoot => LibC.geteuid() == 0;

    /// <summary>The real user id of the process (who started it).</summary>
    public static uint CurrentUid => LibC.getuid();

    /// <summary>The real group id of the process.</summary>
    public static uint CurrentGid => LibC.getgid();

    /// <summary>Status of the entry at <paramref name="path"/>; a final symlink is described, never followed.</summary>
    public static FileStatus LStat(byte[] path)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(path, scratch))
        {
            if (LibC.statx(LibC.AT_FDCWD, p, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out Statx status) != 0)
            {
                throw PosixException.Last("lstat", path);
            }
            return status.ToFileStatus();
        }
    }

    /// <summary>Status of the entry <paramref name="name"/> inside the open directory <paramref name="directory"/>, never following it.</summary>
    public static FileStatus LStatAt(SafeFileHandle directory, byte[] name)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(name, scratch))
        {
            if (LibC.statx(directory, p, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out Statx status) != 0)
            {
                throw PosixException.Last("lstat", name);
            }
            return status.ToFileStatus();
        }
    }

    /// <summary>Status of what the open descriptor refers to.</summary>
    public static FileStatus Stat(SafeFileHandle fd)
    {
        byte empty = 0;
        if (LibC.statx(fd, &empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out Statx status) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new PosixException("fstat", Describe(fd), errno);
        }
        return status.ToFileStatus();
    }

    /// <summary>The target of the symlink at <paramref name="path"/>, byte for byte.</summary>
    public static byte[] ReadLink(byte[] path)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(path, scratch))
        {
            return ReadLinkCore(null, LibC.AT_FDCWD, p, path);
        }
    }

    /// <summary>The target of the symlink <paramref name="name"/> inside <paramref name="directory"/>, byte for byte.</summary>
    public static byte[] ReadLinkAt(SafeFileHandle directory, byte[] name)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(name, scratch))
        {
            return ReadLinkCore(directory, 0, p, name);
        }
    }

    private static byte[] ReadLinkCore(SafeFileHandle? directory, int dirfd, byte* path, byte[] shown)
    {
        // readlink truncates silently, so a result that fills the buffer may be cut short: grow and ask again.
        for (int size = 256; ; size *= 2)
        {
            byte[] buffer = new byte[size];
            nint length;
            fixed (byte* b = buffer)
            {
                length = directory is null
                    ? LibC.readlinkat(dirfd, path, b, (nuint)size)
                    : LibC.readlinkat(directory, path, b, (nuint)size);
            }
            if (length < 0)
            {
                throw PosixException.Last("readlink", shown);
            }
            if (length < size)
            {
                return buffer.AsSpan(0, (int)length).ToArray();
            }
        }
    }

    /// <summary>
    /// Opens the file at <paramref name="path"/> for reading with <see cref="RandomAccess"/>, never through a final symlink,
    /// without updating its access time where the kernel allows that.
    /// </summary>
    /// <remarks>
    /// The open is non-blocking so that a FIFO swapped in after an lstat cannot hang it; for regular files and
    /// block devices blocking mode is restored, anything else keeps O_NONBLOCK so reads return at once.
    /// </remarks>
    public static SafeFileHandle OpenRead(byte[] path)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(path, scratch))
        {
            return OpenReadCore(null, p, path);
        }
    }

    /// <summary>Like <see cref="OpenRead"/> for the entry <paramref name="name"/> inside <paramref name="directory"/>.</summary>
    public static SafeFileHandle OpenReadAt(SafeFileHandle directory, byte[] name)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(name, scratch))
        {
            return OpenReadCore(directory, p, name);
        }
    }

    private static SafeFileHandle OpenReadCore(SafeFileHandle? directory, byte* path, ReadOnlySpan<byte> shown)
    {
        const int flags = LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.O_NONBLOCK;
        SafeFileHandle handle = OpenWithoutAccessTime(directory, path, flags, "open", shown);
        try
        {
            EntryType type = Stat(handle).Type;
            if (type is EntryType.File or EntryType.BlockDevice)
            {
                int current = LibC.fcntl(handle, LibC.F_GETFL, 0);
                if (current < 0 || LibC.fcntl(handle, LibC.F_SETFL, current & ~LibC.O_NONBLOCK) < 0)
                {
                    throw PosixException.Last("fcntl", shown);
                }
            }
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Opens with O_NOATIME, which only the owner (or CAP_FOWNER) may use; retries without it on EPERM.</summary>
    private static SafeFileHandle OpenWithoutAccessTime(SafeFileHandle? directory, byte* path, int flags, string operation, ReadOnlySpan<byte> shown)
    {
        int fd = OpenAt(directory, path, flags | LibC.O_NOATIME);
        if (fd < 0 && Marshal.GetLastPInvokeError() == LibC.EPERM)
        {
            fd = OpenAt(directory, path, flags);
        }
        if (fd < 0)
        {
            throw PosixException.Last(operation, shown);
        }
        return LibC.Own(fd);
    }

    private static int OpenAt(SafeFileHandle? directory, byte* path, int flags) =>
        directory is null ? LibC.openat(LibC.AT_FDCWD, path, flags, 0) : LibC.openat(directory, path, flags, 0);

    /// <summary>
    /// Finds the first data region at or after <paramref name="from"/> (SEEK_DATA/SEEK_HOLE), so that holes of sparse
    /// files need not be read. False when only a hole (or nothing) follows. Where the file system cannot tell, the
    /// rest of the file is one data region. Moves the descriptor's offset, which positional reads ignore.
    /// </summary>
    public static bool TryGetNextDataRegion(SafeFileHandle fd, long from, out long dataStart, out long dataEnd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        dataStart = dataEnd = 0;
        long start = LibC.lseek(fd, from, LibC.SEEK_DATA);
        if (start < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.ENXIO)
            {
                return false;
            }
            if (errno != LibC.EINVAL)
            {
                throw new PosixException("lseek", Describe(fd), errno);
            }
            long size = Stat(fd).Size;
            if (from >= size)
            {
                return false;
            }
            (dataStart, dataEnd) = (from, size);
            return true;
        }
        long end = LibC.lseek(fd, start, LibC.SEEK_HOLE);
        if (end < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new PosixException("lseek", Describe(fd), errno);
        }
        (dataStart, dataEnd) = (start, end);
        return true;
    }
}
