using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.FileSystem;

// Metadata of entries by name, for entries the restore did not keep open (symlinks, special files, hard links).
// Order as in FileHandleMetadata: owner, extended attributes, mode, times.
public sealed unsafe partial class RestoreDirectory
{
    /// <summary>lchown relative to this directory (fchownat with AT_SYMLINK_NOFOLLOW); a symlink gets the owner itself.</summary>
    public void SetOwner(byte[] name, uint uid, uint gid)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = Checked(name, scratch))
        {
            if (LibC.fchownat(Handle, n, uid, gid, LibC.AT_SYMLINK_NOFOLLOW) != 0)
            {
                throw Failure("chown", name, Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>
    /// Sets the permission bits (07777) of <paramref name="name"/>; a symlink is left alone (Linux symlinks have no
    /// mode of their own, and chmod would change its target).
    /// </summary>
    /// <remarks>
    /// fchmodat(…, 0) follows a symlink at the name, and glibc 2.36 cannot do AT_SYMLINK_NOFOLLOW by itself; opening
    /// the entry for real could block on a FIFO or act on a device. So the entry is pinned with O_PATH|O_NOFOLLOW
    /// (no access, no side effects), checked through that descriptor, and chmodded through /proc/self/fd/N, which
    /// reaches exactly the pinned inode. Whatever is swapped in under the name meanwhile is not touched.
    /// </remarks>
    public void SetMode(byte[] name, uint mode)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = Checked(name, scratch))
        {
            using SafeFileHandle pinned = Pin(n, name, "chmod");
            if (PosixFileSystem.Stat(pinned).Type == EntryType.Symlink)
            {
                return;
            }
            Span<byte> procPath = stackalloc byte[PosixFileSystem.ProcFdPathSize];
            fixed (byte* proc = PosixFileSystem.ProcFdPath(pinned, procPath))
            {
                if (LibC.chmod(proc, mode & 0xFFFu) != 0)
                {
                    throw Failure("chmod", name, Marshal.GetLastPInvokeError());
                }
            }
        }
    }

    /// <summary>Sets access and modification times with nanoseconds (utimensat, AT_SYMLINK_NOFOLLOW), symlinks included.</summary>
    public void SetTimes(byte[] name, UnixTime access, UnixTime modify)
    {
        LibC.Timespec* times = stackalloc LibC.Timespec[2];
        times[0] = FileHandleMetadata.ToTimespec(access);
        times[1] = FileHandleMetadata.ToTimespec(modify);
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = Checked(name, scratch))
        {
            if (LibC.utimensat(Handle, n, times, LibC.AT_SYMLINK_NOFOLLOW) != 0)
            {
                throw Failure("utimens", name, Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>
    /// Sets one extended attribute on <paramref name="name"/> itself (a symlink is never followed); returns true.
    /// </summary>
    /// <remarks>The entry is pinned with O_PATH|O_NOFOLLOW and written through /proc/self/fd/N, as in <see cref="SetMode"/>.</remarks>
    public bool SetExtendedAttribute(byte[] name, byte[] attribute, byte[] value)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        Span<byte> attributeScratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = Checked(name, scratch))
        fixed (byte* a = NativePath.Terminate(attribute, attributeScratch))
        fixed (byte* v = value)
        {
            // For a symlink the magic link resolves to the symlink itself, never to its target: Linux then accepts
            // trusted.* and security.* (as root) and refuses user.*, which the caller reports.
            using SafeFileHandle pinned = Pin(n, name, "setxattr");
            Span<byte> procPath = stackalloc byte[PosixFileSystem.ProcFdPathSize];
            fixed (byte* proc = PosixFileSystem.ProcFdPath(pinned, procPath))
            {
                if (LibC.setxattr(proc, a, v, (nuint)value.Length, 0) != 0)
                {
                    throw Failure($"setxattr {PosixFileSystem.Display(attribute)} on", name, Marshal.GetLastPInvokeError());
                }
            }
            return true;
        }
    }

    private SafeFileHandle Pin(byte* n, byte[] name, string operation) =>
        PosixFileSystem.OpenPathNoFollow(Handle, n, operation, PosixFileSystem.Join(_path, name));
}
