using Hort.Engine.Tests.Support;

namespace Hort.Engine.Tests.Backup;

/// <summary>How the paths given to a backup become the snapshot's tree.</summary>
public sealed class TargetPathTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    /// <summary>
    /// Common in practice: on Debian /lib and /bin are symlinks into /usr, and /home is often a symlink to a data
    /// disk. The kernel resolves the symlinked parent when the path is given, so the file is saved where the user
    /// named it.
    /// </summary>
    [Fact]
    public async Task A_path_reached_through_a_symlinked_parent_directory_is_saved()
    {
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("real"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("real/file"), "data"u8);
        Libc.Symlink("real"u8, Libc.AT_FDCWD, _scratch.Sub("link"));
        using var repository = await TestRepository.CreateAsync();

        var backup = await repository.BackupAsync(_scratch.SubText("link/file"));

        Assert.Empty(backup.Issues);
        var target = _scratch.SubText("target");
        Assert.Empty((await repository.RestoreAsync(backup.Stored(), target)).Issues);
        Assert.Equal("data"u8.ToArray(), Libc.ReadFile(Libc.AT_FDCWD, ScratchDirectory.Restored(target, _scratch.Sub("link/file"))));
    }

    [Fact]
    public async Task Nested_and_repeated_paths_are_saved_once()
    {
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src"));
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src/sub"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/sub/file"), "data"u8);
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/top"), "top"u8);
        using var repository = await TestRepository.CreateAsync();

        var backup = await repository.BackupAsync(_scratch.SubText("src/sub"), _scratch.SubText("src"), _scratch.SubText("src/./sub/../top"), _scratch.SubText("src/"));

        Assert.Equal([_scratch.SubText("src")], backup.Snapshot.Paths);
        Assert.Equal(2, backup.Snapshot.Summary!.Files);
        var target = _scratch.SubText("target");
        await repository.RestoreAsync(backup.Stored(), target);
        Assert.Equal([".", "sub", "sub/file", "top"], TreeState.Capture(target + _scratch.SubText("src")).Entries.Keys);
    }

    [Fact]
    public async Task Two_separate_paths_share_their_common_parents_in_one_tree()
    {
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("a"));
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("b"));
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("c"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("a/1"), "1"u8);
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("b/2"), "2"u8);
        using var repository = await TestRepository.CreateAsync();

        var backup = await repository.BackupAsync(_scratch.SubText("b"), _scratch.SubText("a"));

        var target = _scratch.SubText("target");
        await repository.RestoreAsync(backup.Stored(), target);
        Assert.Equal([".", "a", "a/1", "b", "b/2"], TreeState.Capture(target + _scratch.Text).Entries.Keys);
    }
}
