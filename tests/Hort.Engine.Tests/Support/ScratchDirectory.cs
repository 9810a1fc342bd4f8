using System.Text;

namespace Hort.Engine.Tests.Support;

/// <summary>
/// A fresh directory under /tmp (ext4 here, with xattrs) for one test, removed afterwards with everything in it —
/// any names, any depth, any modes — by walking directory descriptors.
/// </summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        Text = "/tmp/hort-e2e-" + Guid.NewGuid().ToString("N");
        Path = Encoding.UTF8.GetBytes(Text);
        Libc.MakeDirectory(Libc.AT_FDCWD, Path, 0x1ED);
    }

    public byte[] Path { get; }

    public string Text { get; }

    /// <summary>The path of <paramref name="relative"/> below this directory.</summary>
    public byte[] Sub(string relative) => Sub(Encoding.UTF8.GetBytes(relative));

    public byte[] Sub(ReadOnlySpan<byte> relative) => [.. Path, (byte)'/', .. relative];

    public string SubText(string relative) => Text + "/" + relative;

    /// <summary>Where a restore into <paramref name="target"/> puts the backed-up absolute path <paramref name="original"/>.</summary>
    public static byte[] Restored(string target, ReadOnlySpan<byte> original) => [.. Encoding.UTF8.GetBytes(target), .. original];

    public void Dispose() => RemoveTree(Path);

    /// <summary>Removes <paramref name="path"/> and everything below it, like <c>rm -rf</c>.</summary>
    public static void RemoveTree(byte[] path)
    {
        var fd = Libc.openat(Libc.AT_FDCWD, Libc.Z(path), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            TryUnlink(Libc.AT_FDCWD, path, directory: false);
            return;
        }

        Empty(fd);
        Libc.close(fd);
        TryUnlink(Libc.AT_FDCWD, path, directory: true);
    }

    private static void Empty(int dirfd)
    {
        foreach (var name in Libc.ListNames(dirfd))
        {
            var child = Libc.openat(dirfd, Libc.Z(name), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
            if (child >= 0)
            {
                Empty(child);
                Libc.close(child);
                TryUnlink(dirfd, name, directory: true);
            }
            else
            {
                TryUnlink(dirfd, name, directory: false);
            }
        }
    }

    private static void TryUnlink(int dirfd, byte[] name, bool directory)
    {
        try
        {
            Libc.Unlink(dirfd, name, directory);
        }
        catch (IOException)
        {
            // Best effort: a leftover in /tmp must not fail the test that made it.
        }
    }
}
