using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.FileSystem;

public static unsafe partial class PosixFileSystem
{
    private const int DirectoryOpenFlags = LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;

    // struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16, d_type u8, then the NUL-terminated name.
    private const int DirentReclenOffset = 16;
    private const int DirentNameOffset = 19;
    private const int DirectoryBufferSize = 32 * 1024;

    /// <summary>The names in the directory at <paramref name="path"/> (without "." and ".."), unsorted; a final symlink is not followed.</summary>
    public static List<byte[]> ReadDirectory(byte[] path)
    {
        using SafeFileHandle directory = OpenDirectory(path);
        return ReadDirectoryCore(directory, path);
    }

    /// <summary>The names in the open directory (without "." and ".."), unsorted; reads from the start each time.</summary>
    public static List<byte[]> ReadDirectory(SafeFileHandle directory) =>
        ReadDirectoryCore(directory, null);

    /// <summary>Same as <see cref="ReadDirectory(SafeFileHandle)"/>; named for symmetry with the other "At" calls.</summary>
    public static List<byte[]> ReadDirectoryAt(SafeFileHandle directory) => ReadDirectory(directory);

    /// <summary>Opens the directory at <paramref name="path"/> for the "At" calls; fails with ENOTDIR if it is a symlink or no directory.</summary>
    public static SafeFileHandle OpenDirectory(byte[] path)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(path, scratch))
        {
            return OpenWithoutAccessTime(null, p, DirectoryOpenFlags, "opendir", path);
        }
    }

    /// <summary>Opens the subdirectory <paramref name="name"/> of <paramref name="directory"/>, never following a symlink.</summary>
    public static SafeFileHandle OpenDirectoryAt(SafeFileHandle directory, byte[] name)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(name, scratch))
        {
            return OpenWithoutAccessTime(directory, p, DirectoryOpenFlags, "opendir", name);
        }
    }

    /// <summary>Lists from the start of the directory; <paramref name="shown"/> null means messages name the descriptor's path.</summary>
    private static List<byte[]> ReadDirectoryCore(SafeFileHandle directory, byte[]? shown)
    {
        if (LibC.lseek(directory, 0, LibC.SEEK_SET) < 0)
        {
            throw ReadDirectoryFailure(directory, shown);
        }
        var names = new List<byte[]>();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(DirectoryBufferSize);
        try
        {
            while (true)
            {
                nint filled;
                fixed (byte* b = buffer)
                {
                    filled = LibC.getdents64(directory, b, (nuint)buffer.Length);
                }
                if (filled < 0)
                {
                    throw ReadDirectoryFailure(directory, shown);
                }
                if (filled == 0)
                {
                    return names;
                }
                AddNames(buffer.AsSpan(0, (int)filled), names);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static PosixException ReadDirectoryFailure(SafeFileHandle directory, byte[]? shown)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new PosixException("readdir", shown is null ? Describe(directory) : Display(shown), errno);
    }

    private static void AddNames(ReadOnlySpan<byte> records, List<byte[]> names)
    {
        while (!records.IsEmpty)
        {
            int length = BinaryPrimitives.ReadUInt16LittleEndian(records[DirentReclenOffset..]);
            ReadOnlySpan<byte> name = records[DirentNameOffset..length];
            name = name[..name.IndexOf((byte)0)];
            if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
            {
                names.Add(name.ToArray());
            }
            records = records[length..];
        }
    }

    /// <summary>Opens <paramref name="name"/> in <paramref name="directory"/> (or the path, when directory is null) as O_PATH without following it: a pin on the inode that grants no access.</summary>
    internal static SafeFileHandle OpenPathNoFollow(SafeFileHandle? directory, byte* name, string operation, ReadOnlySpan<byte> shown)
    {
        const int flags = LibC.O_PATH | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;
        int fd = OpenAt(directory, name, flags);
        if (fd < 0)
        {
            throw new PosixException(operation, Display(shown), Marshal.GetLastPInvokeError());
        }
        return LibC.Own(fd);
    }
}
