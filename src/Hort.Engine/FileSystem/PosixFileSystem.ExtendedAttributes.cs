using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.FileSystem;

public static unsafe partial class PosixFileSystem
{
    /// <summary>All extended attributes (name, value) of the entry at <paramref name="path"/>, never following a final symlink; empty where the file system has none (ENOTSUP).</summary>
    public static List<KeyValuePair<byte[], byte[]>> ReadExtendedAttributes(byte[] path)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(path, scratch))
        {
            return ReadExtendedAttributesCore(p, followMagicLink: false, path);
        }
    }

    /// <summary>Like <see cref="ReadExtendedAttributes"/> for the entry <paramref name="name"/> inside <paramref name="directory"/>.</summary>
    public static List<KeyValuePair<byte[], byte[]>> ReadExtendedAttributesAt(SafeFileHandle directory, byte[] name)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(name, scratch))
        {
            // There is no llistxattrat in glibc 2.36, and fgetxattr refuses O_PATH descriptors; so pin the entry
            // with O_PATH|O_NOFOLLOW and read through /proc/self/fd/N. Resolving that magic link lands on the
            // pinned inode itself (a symlink included) and never walks further, so nothing else can be reached.
            using SafeFileHandle pinned = OpenPathNoFollow(directory, p, "listxattr", name);
            Span<byte> procPath = stackalloc byte[ProcFdPathSize];
            fixed (byte* proc = ProcFdPath(pinned, procPath))
            {
                return ReadExtendedAttributesCore(proc, followMagicLink: true, name);
            }
        }
    }

    /// <summary>
    /// Like <see cref="ReadExtendedAttributes"/> for the file or directory open as <paramref name="handle"/> (not an
    /// O_PATH descriptor): the entry a backup is reading anyway, so no second open and no path lookup.
    /// </summary>
    public static List<KeyValuePair<byte[], byte[]>> ReadExtendedAttributes(SafeFileHandle handle, ReadOnlySpan<byte> shown) =>
        ReadExtendedAttributesCore(null, followMagicLink: false, shown, handle);

    /// <summary>The attributes of <paramref name="path"/>, or of <paramref name="handle"/> when one is given.</summary>
    private static List<KeyValuePair<byte[], byte[]>> ReadExtendedAttributesCore(byte* path, bool followMagicLink, ReadOnlySpan<byte> shown, SafeFileHandle? handle = null)
    {
        var attributes = new List<KeyValuePair<byte[], byte[]>>();
        byte[]? names = ReadSized(handle, path, null, followMagicLink, shown, "listxattr");
        if (names is null)
        {
            return attributes;
        }
        fixed (byte* list = names)
        {
            int start = 0;
            while (start < names.Length)
            {
                int end = Array.IndexOf(names, (byte)0, start);
                if (end < 0)
                {
                    end = names.Length;
                }
                if (end > start)
                {
                    byte[]? value = ReadSized(handle, path, list + start, followMagicLink, shown, "getxattr");
                    if (value is not null)
                    {
                        attributes.Add(new(names.AsSpan(start, end - start).ToArray(), value));
                    }
                }
                start = end + 1;
            }
        }
        return attributes;
    }

    /// <summary>
    /// Asks for the size, then the bytes, of the attribute list (<paramref name="attribute"/> null) or value, asking
    /// again when it grew in between. Null when the file system has no xattrs or the attribute vanished meanwhile.
    /// </summary>
    private static byte[]? ReadSized(SafeFileHandle? handle, byte* path, byte* attribute, bool follow, ReadOnlySpan<byte> shown, string operation)
    {
        while (true)
        {
            nint size = Query(handle, attribute, follow, path, null, 0);
            if (size < 0)
            {
                return MissingOrThrow(operation, shown);
            }
            if (size == 0)
            {
                // No attributes (or an empty value): nothing to ask for a second time.
                return [];
            }
            byte[] buffer = new byte[size];
            fixed (byte* b = buffer)
            {
                nint length = Query(handle, attribute, follow, path, b, (nuint)size);
                if (length >= 0)
                {
                    return length == size ? buffer : buffer.AsSpan(0, (int)length).ToArray();
                }
            }
            if (Marshal.GetLastPInvokeError() != LibC.ERANGE)
            {
                return MissingOrThrow(operation, shown);
            }
        }
    }

    private static nint Query(SafeFileHandle? handle, byte* attribute, bool follow, byte* path, byte* buffer, nuint size) => handle is not null
        ? attribute is null ? LibC.flistxattr(handle, buffer, size) : LibC.fgetxattr(handle, attribute, buffer, size)
        : (attribute is null, follow) switch
    {
        (true, false) => LibC.llistxattr(path, buffer, size),
        (true, true) => LibC.listxattr(path, buffer, size),
        (false, false) => LibC.lgetxattr(path, attribute, buffer, size),
        (false, true) => LibC.getxattr(path, attribute, buffer, size),
    };

    private static byte[]? MissingOrThrow(string operation, ReadOnlySpan<byte> shown)
    {
        int errno = Marshal.GetLastPInvokeError();
        return errno is LibC.EOPNOTSUPP or LibC.ENODATA ? null : throw new PosixException(operation, Display(shown), errno);
    }
}
