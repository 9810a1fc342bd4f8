using System.Text;
using Hort.Engine.Tests.Support;
using Hort.Repository.Trees;

namespace Hort.Engine.Tests.Backup;

/// <summary>Paths longer than PATH_MAX (4096 bytes) cannot be named whole to the kernel; the backup must still cope.</summary>
public sealed class LongPathTests : IDisposable
{
    private const int Levels = 150; // 150 × 31 bytes ≈ 4,650 bytes below the source

    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_file_beyond_path_max_is_saved_and_restored()
    {
        var source = _scratch.SubText("src");
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/shallow"), "shallow"u8);
        var names = new List<byte[]>();
        var fd = Libc.OpenDirectory(Libc.AT_FDCWD, _scratch.Sub("src"));
        for (var level = 0; level < Levels; level++)
        {
            var name = Encoding.ASCII.GetBytes($"{level:D3}-".PadRight(30, 'y'));
            names.Add(name);
            Libc.MakeDirectory(fd, name);
            var next = Libc.OpenDirectory(fd, name);
            Libc.close(fd);
            fd = next;
        }

        Libc.WriteFile(fd, "bottom"u8, "far down"u8);
        Libc.close(fd);
        var deepPath = source + "/" + string.Join("/", names.Select(Encoding.ASCII.GetString)) + "/bottom";
        Assert.True(Encoding.UTF8.GetByteCount(deepPath) > 4096);

        using var repository = await TestRepository.CreateAsync();
        var backup = await repository.BackupAsync(source);

        var shallow = await repository.FindNodeAsync(backup.Snapshot, source + "/shallow");
        Assert.Equal(7UL, shallow.Size);
        Assert.Empty(backup.Issues);

        // The archiver walks by directory handles, so it reaches the file; a path-based walk would have to report it.
        var bottom = await TryFindAsync(repository, backup.Snapshot, deepPath);
        Assert.NotNull(bottom);
        Assert.Equal(8UL, bottom.Size);
        var target = _scratch.SubText("target");
        var restore = await repository.RestoreAsync(backup.Stored(), target);
        Assert.Empty(restore.Issues);
        var restored = TreeState.Capture(target + source);
        var key = string.Join("/", names.Select(Encoding.ASCII.GetString)) + "/bottom";
        Assert.Equal(TreeState.Capture(source).Entries[key] with { Identity = null }, restored.Entries[key] with { Identity = null });
    }

    private static async Task<TreeNode?> TryFindAsync(Hort.Repository.HortRepository repository, Hort.Repository.Snapshots.Snapshot snapshot, string path)
    {
        var tree = await repository.LoadTreeAsync(snapshot.Tree);
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var node = tree.Find(Encoding.UTF8.GetBytes(parts[i]));
            if (node is null) return null;
            if (i == parts.Length - 1) return node;
            tree = await repository.LoadTreeAsync(node.Subtree);
        }

        return null;
    }
}
