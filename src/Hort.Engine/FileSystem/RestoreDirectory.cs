using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.FileSystem;

/// <summary>
/// An open directory inside a <see cref="RestoreTarget"/>. Every call takes a single name (checked with
/// <see cref="RestoreTarget.IsSafeName"/>) and acts relative to this directory's descriptor without following a
/// symlink at that name, so entries planted before or during a restore cannot lead a write outside the target.
/// Paths have no length limit: each level is reached from the one above.
/// </summary>
[SkipLocalsInit]
public sealed unsafe partial class RestoreDirectory : IDisposable
{
    /// <summary>Replacing an entry races with whoever else writes there; after this many tries the error stands.</summary>
    private const int ReplaceAttempts = 3;

    private const int DirectoryOpenFlags = LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC;

    private readonly byte[] _path;

    internal RestoreDirectory(SafeFileHandle handle, byte[] path)
    {
        Handle = handle;
        _path = path;
    }

    /// <summary>The directory's descriptor, for <see cref="FileHandleMetadata"/> (set a directory's metadata after its contents) and the "At" reads of <see cref="PosixFileSystem"/>.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>The directory's path for messages (target path plus the names below it).</summary>
    public string DisplayPath => PosixFileSystem.Display(_path);

    /// <summary>
    /// Opens the subdirectory <paramref name="name"/>, creating it first if missing. Anything else in its place
    /// (a file, a symlink — never followed — a FIFO…) is removed and replaced by a real directory. A new
    /// directory gets <paramref name="mode"/> with owner rwx added (so the restore can fill it), less the umask;
    /// set the final mode through <see cref="Handle"/> once the contents are in.
    /// </summary>
    public RestoreDirectory OpenOrCreateDirectory(byte[] name, uint mode)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = Checked(name, scratch))
        {
            for (int attempt = 0; ; attempt++)
            {
                if (LibC.mkdirat(Handle, n, (mode & 0x1FFu) | 0x1C0u) != 0)
                {
                    int mkdirError = Marshal.GetLastPInvokeError();
                    if (mkdirError != LibC.EEXIST)
                    {
                        throw Failure("mkdir", name, mkdirError);
                    }
                }
                int fd = LibC.openat(Handle, n, DirectoryOpenFlags, 0);
                if (fd >= 0)
                {
                    return new RestoreDirectory(LibC.Own(fd), PosixFileSystem.Join(_path, name));
                }
                int errno = Marshal.GetLastPInvokeError();
                // O_DIRECTORY|O_NOFOLLOW refuses a symlink or any other non-directory in the way with ENOTDIR (ELOOP on some kernels).
                if (errno is not (LibC.ENOTDIR or LibC.ELOOP) || attempt == ReplaceAttempts)
                {
                    throw Failure("open directory", name, errno);
                }
                RemoveNonDirectory(n, name, "mkdir");
            }
        }
    }

    /// <summary>Opens the existing subdirectory <paramref name="name"/>; a symlink there is refused (ENOTDIR), not followed.</summary>
    public RestoreDirectory OpenDirectory(byte[] name)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = Checked(name, scratch))
        {
            int fd = LibC.openat(Handle, n, DirectoryOpenFlags, 0);
            if (fd < 0)
            {
                throw Failure("open directory", name, Marshal.GetLastPInvokeError());
            }
            return new RestoreDirectory(LibC.Own(fd), PosixFileSystem.Join(_path, name));
        }
    }

    /// <summary>
    /// Creates the regular file <paramref name="name"/> and returns it open for writing (use <see cref="RandomAccess"/>).
    /// An existing non-directory entry is unlinked first (a symlink is removed, never written through); a
    /// directory in the way fails with EISDIR. The file starts with <paramref name="mode"/> &amp; 0600, so no one
    /// else can open it while it is written; set owner, then mode, then times through the returned handle.
    /// </summary>
    public SafeFileHandle CreateFile(byte[] name, uint mode)
    {
        const int flags = LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NOCTTY;
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = Checked(name, scratch))
        {
            for (int attempt = 0; ; attempt++)
            {
                int fd = LibC.openat(Handle, n, flags, mode & 0x180u);
                if (fd >= 0)
                {
                    return LibC.Own(fd);
                }
                ThrowUnlessReplaceable("create file", name, attempt);
                RemoveNonDirectory(n, name, "create file");
            }
        }
    }

    /// <summary>Creates the symlink <paramref name="name"/> → <paramref name="target"/> (bytes verbatim; may dangle or be absolute), replacing a non-directory entry.</summary>
    public void CreateSymlink(byte[] name, byte[] target)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        Span<byte> targetScratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = Checked(name, scratch))
        fixed (byte* t = NativePath.Terminate(target, targetScratch))
        {
            for (int attempt = 0; LibC.symlinkat(t, Handle, n) != 0; attempt++)
            {
                ThrowUnlessReplaceable("symlink", name, attempt);
                RemoveNonDirectory(n, name, "symlink");
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="name"/> a hard link to <paramref name="existingName"/> in <paramref name="existingParent"/>,
    /// replacing a non-directory entry. If the existing entry is a symlink, the link is to the symlink itself.
    /// Already being that link is success.
    /// </summary>
    public void CreateHardLink(RestoreDirectory existingParent, byte[] existingName, byte[] name)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        Span<byte> existingScratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = Checked(name, scratch))
        fixed (byte* e = Checked(existingName, existingScratch))
        {
            // Flags 0 (no AT_SYMLINK_FOLLOW): linkat never follows a symlink at the existing name.
            for (int attempt = 0; LibC.linkat(existingParent.Handle, e, Handle, n, 0) != 0; attempt++)
            {
                ThrowUnlessReplaceable("link", name, attempt);
                if (IsSameInode(existingParent, e, n))
                {
                    return;
                }
                RemoveNonDirectory(n, name, "link");
            }
        }
    }

    /// <summary>
    /// Creates a FIFO, socket inode, or character/block device <paramref name="name"/> (devices need root, else
    /// EPERM), replacing a non-directory entry. Starts with <paramref name="mode"/> &amp; 0600; set the rest later.
    /// </summary>
    public void CreateSpecial(byte[] name, EntryType type, uint mode, ulong deviceNumber)
    {
        uint typeBits = type switch
        {
            EntryType.Fifo => LibC.S_IFIFO,
            EntryType.Socket => LibC.S_IFSOCK,
            EntryType.CharDevice => LibC.S_IFCHR,
            EntryType.BlockDevice => LibC.S_IFBLK,
            _ => throw new ArgumentException($"{type} is not a special file type.", nameof(type)),
        };
        ulong device = type is EntryType.CharDevice or EntryType.BlockDevice ? deviceNumber : 0;
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = Checked(name, scratch))
        {
            for (int attempt = 0; LibC.mknodat(Handle, n, typeBits | (mode & 0x180u), device) != 0; attempt++)
            {
                ThrowUnlessReplaceable("mknod", name, attempt);
                RemoveNonDirectory(n, name, "mknod");
            }
        }
    }

    /// <summary>Status of the entry <paramref name="name"/> (not following it), or null if there is none.</summary>
    public FileStatus? TryLStat(byte[] name)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* n = Checked(name, scratch))
        {
            if (LibC.statx(Handle, n, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out Statx status) == 0)
            {
                return status.ToFileStatus();
            }
            int errno = Marshal.GetLastPInvokeError();
            return errno == LibC.ENOENT ? null : throw Failure("lstat", name, errno);
        }
    }

    public void Dispose() => Handle.Dispose();

    private static ReadOnlySpan<byte> Checked(byte[] name, Span<byte> scratch) => RestoreTarget.IsSafeName(name)
        ? NativePath.Terminate(name, scratch)
        : throw new ArgumentException($"\"{PosixFileSystem.Display(name)}\" is not a name inside a directory.", nameof(name));

    /// <summary>Lets a create retry after an EEXIST (the entry in the way gets removed); anything else, or too many tries, throws.</summary>
    private void ThrowUnlessReplaceable(string operation, byte[] name, int attempt)
    {
        int errno = Marshal.GetLastPInvokeError();
        if (errno != LibC.EEXIST || attempt == ReplaceAttempts)
        {
            throw Failure(operation, name, errno);
        }
    }

    /// <summary>Unlinks the entry at <paramref name="n"/> unless it is a directory (EISDIR); already gone is fine.</summary>
    private void RemoveNonDirectory(byte* n, byte[] name, string operation)
    {
        if (LibC.statx(Handle, n, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out Statx status) != 0)
        {
            int statError = Marshal.GetLastPInvokeError();
            if (statError == LibC.ENOENT)
            {
                return;
            }
            throw Failure(operation, name, statError);
        }
        if ((status.Mode & LibC.S_IFMT) == LibC.S_IFDIR)
        {
            throw Failure(operation, name, LibC.EISDIR);
        }
        // unlinkat without AT_REMOVEDIR fails on a directory, so a swap to one after the check removes nothing.
        if (LibC.unlinkat(Handle, n, 0) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.ENOENT)
            {
                throw Failure(operation, name, errno);
            }
        }
    }

    private bool IsSameInode(RestoreDirectory existingParent, byte* existing, byte* n) =>
        LibC.statx(existingParent.Handle, existing, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out Statx a) == 0
        && LibC.statx(Handle, n, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out Statx b) == 0
        && a.Inode == b.Inode && a.DevMajor == b.DevMajor && a.DevMinor == b.DevMinor;

    private PosixException Failure(string operation, byte[] name, int errno) =>
        new(operation, PosixFileSystem.Display(PosixFileSystem.Join(_path, name)), errno);
}
