using System.Text;
using Hort.Engine.Backup;
using Hort.Engine.Tests.Support;

namespace Hort.Engine.Tests.Backup;

/// <summary>A parent snapshot lets unchanged files go unread; anything that may have changed must be read again.</summary>
public sealed class ChangeDetectionTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_file_rewritten_in_place_with_its_size_and_mtime_put_back_is_read_again_because_its_ctime_moved()
    {
        var source = _scratch.SubText("src");
        var data = _scratch.Sub("src/data");
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src"));
        var random = new Random(7);
        var original = new byte[200_000];
        random.NextBytes(original);
        Libc.WriteFile(Libc.AT_FDCWD, data, original);
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/steady"), "steady"u8);
        using var repository = await TestRepository.CreateAsync();
        var first = await repository.BackupAsync(source);
        var before = Libc.LStat(data);

        // Same inode, same size, same mtime: only the ctime tells. The kernel's clock is coarse, so the rewrite is
        // repeated until the ctime has visibly moved (usually at once).
        var changed = (byte[])original.Clone();
        changed[100_000] ^= 0xFF;
        Libc.Stat after;
        do
        {
            var fd = Libc.OpenForWriting(Libc.AT_FDCWD, data);
            Libc.WriteAt(fd, changed, 0, data);
            Libc.close(fd);
            Libc.SetTimes(Libc.AT_FDCWD, data, before.ModifySeconds, before.ModifyNanoseconds);
            after = Libc.LStat(data);
            if (after.ChangeSeconds == before.ChangeSeconds && after.ChangeNanoseconds == before.ChangeNanoseconds)
            {
                Thread.Sleep(5);
            }
        }
        while (after.ChangeSeconds == before.ChangeSeconds && after.ChangeNanoseconds == before.ChangeNanoseconds);

        Assert.Equal((before.Inode, before.Size, before.ModifySeconds, before.ModifyNanoseconds), (after.Inode, after.Size, after.ModifySeconds, after.ModifyNanoseconds));

        var second = await new Archiver(repository, new BackupOptions { Paths = [source], Parent = first.Stored() })
            .RunAsync(TestContext.Current.CancellationToken);

        var summary = second.Snapshot.Summary!;
        Assert.Equal((1L, 1L, 0L), (summary.FilesChanged, summary.FilesUnchanged, summary.FilesNew));
        var target = _scratch.SubText("target");
        Assert.Empty((await repository.RestoreAsync(second.Stored(), target)).Issues);
        Assert.Equal(changed, Libc.ReadFile(Libc.AT_FDCWD, Encoding.UTF8.GetBytes(target + source + "/data")));
    }

    [Fact]
    public async Task A_file_replaced_by_another_inode_of_the_same_size_and_mtime_is_read_again()
    {
        var source = _scratch.SubText("src");
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/data"), "version one"u8);
        Libc.SetTimes(Libc.AT_FDCWD, _scratch.Sub("src/data"), 1_600_000_000, 5);
        using var repository = await TestRepository.CreateAsync();
        var first = await repository.BackupAsync(source);

        // Editors save by writing a new file and renaming it over the old one: a new inode.
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/data.new"), "version two"u8);
        Libc.SetTimes(Libc.AT_FDCWD, _scratch.Sub("src/data.new"), 1_600_000_000, 5);
        File.Move(source + "/data.new", source + "/data", overwrite: true);

        var second = await new Archiver(repository, new BackupOptions { Paths = [source], Parent = first.Stored() })
            .RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1L, second.Snapshot.Summary!.FilesChanged);
        var node = await repository.FindNodeAsync(second.Snapshot, source + "/data");
        Assert.Equal("version two"u8.ToArray(), await repository.LoadBlobAsync(Hort.Repository.Format.BlobType.Data, node.Content.Single(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Entries_that_changed_type_since_the_parent_are_saved_as_they_are_now()
    {
        var source = _scratch.SubText("src");
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/was-file"), "file"u8);
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src/was-dir"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/was-dir/inner"), "inner"u8);
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/was-file-now-link"), "file"u8);
        using var repository = await TestRepository.CreateAsync();
        var first = await repository.BackupAsync(source);

        Libc.Unlink(Libc.AT_FDCWD, _scratch.Sub("src/was-file"));
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src/was-file"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/was-file/new"), "new"u8);
        Libc.Unlink(Libc.AT_FDCWD, _scratch.Sub("src/was-dir/inner"));
        Libc.Unlink(Libc.AT_FDCWD, _scratch.Sub("src/was-dir"), directory: true);
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/was-dir"), "now a file"u8);
        Libc.Unlink(Libc.AT_FDCWD, _scratch.Sub("src/was-file-now-link"));
        Libc.Symlink("was-dir"u8, Libc.AT_FDCWD, _scratch.Sub("src/was-file-now-link"));
        var expected = TreeState.Capture(source);

        var second = await new Archiver(repository, new BackupOptions { Paths = [source], Parent = first.Stored() })
            .RunAsync(TestContext.Current.CancellationToken);

        Assert.Empty(second.Issues);
        var target = _scratch.SubText("target");
        Assert.Empty((await repository.RestoreAsync(second.Stored(), target)).Issues);
        TreeState.AssertSameContentAndMetadata(expected, TreeState.Capture(target + source));
    }

    [Fact]
    public async Task Extended_attributes_changed_since_the_parent_are_saved_anew_and_unchanged_ones_are_kept()
    {
        var source = _scratch.SubText("src");
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src"));
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src/dir"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/edited"), "content stays"u8);
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/steady"), "steady"u8);
        Libc.SetExtendedAttribute(_scratch.Sub("src/edited"), "user.tag", "one"u8);
        Libc.SetExtendedAttribute(_scratch.Sub("src/dir"), "user.tag", "one"u8);
        Libc.SetExtendedAttribute(_scratch.Sub("src/steady"), "user.kept", "kept"u8);
        using var repository = await TestRepository.CreateAsync();
        var first = await repository.BackupAsync(source);

        // Setting an attribute moves only the ctime; the clock is coarse, so repeat until it visibly moved.
        foreach (var path in new[] { "src/edited", "src/dir" })
        {
            var before = Libc.LStat(_scratch.Sub(path));
            Libc.Stat after;
            do
            {
                Thread.Sleep(5);
                Libc.SetExtendedAttribute(_scratch.Sub(path), "user.tag", "two"u8);
                after = Libc.LStat(_scratch.Sub(path));
            }
            while (after.ChangeSeconds == before.ChangeSeconds && after.ChangeNanoseconds == before.ChangeNanoseconds);
        }

        var expected = TreeState.Capture(source);
        var second = await new Archiver(repository, new BackupOptions { Paths = [source], Parent = first.Stored() })
            .RunAsync(TestContext.Current.CancellationToken);

        Assert.Empty(second.Issues);
        // The edited file's content was not read again (size, mtime and inode are the same) but its attributes were.
        Assert.Equal((2L, 0L, 0L), (second.Snapshot.Summary!.FilesUnchanged, second.Snapshot.Summary.FilesChanged, second.Snapshot.Summary.FilesNew));
        var edited = await repository.FindNodeAsync(second.Snapshot, source + "/edited");
        Assert.Equal("two"u8.ToArray(), edited.ExtendedAttributes.Single(a => a.Name.AsSpan().SequenceEqual("user.tag"u8)).Value);
        var target = _scratch.SubText("target");
        Assert.Empty((await repository.RestoreAsync(second.Stored(), target)).Issues);
        TreeState.AssertSameContentAndMetadata(expected, TreeState.Capture(target + source));
    }
}
