using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hort.Engine.FileSystem;

/// <summary>
/// The directory a restore writes into. Its own path may pass through symlinks (the user chose it); below it every
/// write goes through directory descriptors and single names, so no symlink inside can redirect a write outside.
/// </summary>
[SkipLocalsInit]
public sealed unsafe class RestoreTarget : IDisposable
{
    private RestoreTarget(RestoreDirectory root) => Root = root;

    /// <summary>The target directory itself.</summary>
    public RestoreDirectory Root { get; }

    /// <summary>Opens the target directory, creating it and missing parents first (like <c>mkdir -p</c>).</summary>
    public static RestoreTarget Open(string targetPath) => Open(PosixFileSystem.ToBytes(targetPath));

    /// <inheritdoc cref="Open(string)"/>
    public static RestoreTarget Open(byte[] targetPath)
    {
        ArgumentOutOfRangeException.ThrowIfZero(targetPath.Length, nameof(targetPath));
        CreateWithParents(targetPath);
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(targetPath, scratch))
        {
            // No O_NOFOLLOW: the target may itself be a symlink the user pointed at.
            int fd = LibC.openat(LibC.AT_FDCWD, p, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
            if (fd < 0)
            {
                throw PosixException.Last("open restore target", targetPath);
            }
            return new RestoreTarget(new RestoreDirectory(LibC.Own(fd), targetPath));
        }
    }

    /// <summary>
    /// Whether <paramref name="name"/> names an entry inside a directory: not empty, not "." or "..", no '/' and no
    /// NUL. Names from a snapshot must pass this before they reach the file system.
    /// </summary>
    public static bool IsSafeName(ReadOnlySpan<byte> name) =>
        !name.IsEmpty
        && !name.SequenceEqual("."u8)
        && !name.SequenceEqual(".."u8)
        && name.IndexOfAny((byte)'/', (byte)0) < 0;

    public void Dispose() => Root.Dispose();

    private static void CreateWithParents(byte[] path)
    {
        int errno = MakeDirectory(path);
        if (errno is 0 or LibC.EEXIST)
        {
            return;
        }
        if (errno != LibC.ENOENT)
        {
            throw new PosixException("mkdir", PosixFileSystem.Display(path), errno);
        }
        ReadOnlySpan<byte> trimmed = path.AsSpan().TrimEnd((byte)'/');
        int slash = trimmed.LastIndexOf((byte)'/');
        if (slash > 0)
        {
            CreateWithParents(trimmed[..slash].ToArray());
        }
        int again = MakeDirectory(path);
        if (again is not (0 or LibC.EEXIST))
        {
            throw new PosixException("mkdir", PosixFileSystem.Display(path), again);
        }
    }

    /// <summary>mkdir with 0777 less the umask, as <c>mkdir -p</c> does; returns 0 or the errno.</summary>
    private static int MakeDirectory(byte[] path)
    {
        Span<byte> scratch = stackalloc byte[NativePath.StackBufferSize];
        fixed (byte* p = NativePath.Terminate(path, scratch))
        {
            return LibC.mkdir(p, 0x1FF) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }
}
