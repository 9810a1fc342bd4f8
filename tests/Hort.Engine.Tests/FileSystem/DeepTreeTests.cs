using Hort.Engine.FileSystem;
using static Hort.Engine.Tests.FileSystem.Syscalls;

namespace Hort.Engine.Tests.FileSystem;

/// <summary>Trees deeper than PATH_MAX (4096 bytes) can be restored and walked level by level.</summary>
public sealed class DeepTreeTests : IDisposable
{
    private const int Depth = 300;
    private const int PathMax = 4096;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static byte[] Level(int i) => Bytes($"level-{i:D3}-abcdefghij");

    [Fact]
    public void A_300_level_tree_beyond_PATH_MAX_is_restored_and_read_back_by_descriptors()
    {
        using (var target = RestoreTarget.Open(_temp.Text))
        {
            RestoreDirectory current = target.Root;
            for (int i = 0; i < Depth; i++)
            {
                RestoreDirectory next = current.OpenOrCreateDirectory(Level(i), Octal("755"));
                if (current != target.Root)
                {
                    current.Dispose();
                }
                current = next;
            }
            using (var leaf = current.CreateFile(Bytes("leaf"), Octal("644")))
            {
                RandomAccess.Write(leaf, "deep"u8, 0);
            }
            Assert.True(current.DisplayPath.Length > PathMax);
            current.Dispose();
        }

        var opened = new List<Microsoft.Win32.SafeHandles.SafeFileHandle> { PosixFileSystem.OpenDirectory(_temp.Path) };
        try
        {
            for (int i = 0; i < Depth; i++)
            {
                Assert.Equal([Level(i)], PosixFileSystem.ReadDirectoryAt(opened[^1]));
                Assert.Equal(EntryType.Directory, PosixFileSystem.LStatAt(opened[^1], Level(i)).Type);
                opened.Add(PosixFileSystem.OpenDirectoryAt(opened[^1], Level(i)));
            }
            Assert.Equal(4, PosixFileSystem.LStatAt(opened[^1], Bytes("leaf")).Size);
            using var leaf = PosixFileSystem.OpenReadAt(opened[^1], Bytes("leaf"));
            byte[] content = new byte[4];
            RandomAccess.Read(leaf, content, 0);
            Assert.Equal("deep"u8.ToArray(), content);
        }
        finally
        {
            opened.ForEach(handle => handle.Dispose());
        }

        // Whole-path calls work up to PATH_MAX and fail beyond it: the documented limit.
        byte[] path = _temp.Path;
        int depth = 0;
        while (path.Length + 1 + Level(depth).Length < PathMax)
        {
            path = PosixFileSystem.Join(path, Level(depth++));
        }
        Assert.Equal(EntryType.Directory, PosixFileSystem.LStat(path).Type);
        Assert.Equal([Level(depth)], PosixFileSystem.ReadDirectory(path));
        byte[] tooLong = PosixFileSystem.Join(path, Level(depth));
        Assert.Equal(ENAMETOOLONG, Assert.Throws<PosixException>(() => PosixFileSystem.LStat(tooLong)).Errno);
    }
}
