using System.Text;
using Hort.Engine.Tests.Support;
using Hort.Repository;
using Hort.Repository.Snapshots;

namespace Hort.Engine.Tests.Restore;

/// <summary>Restoring only some paths of a snapshot: exactly those, everything below them, and the directories on the way.</summary>
public sealed class IncludeFilterTests : IAsyncLifetime
{
    private readonly ScratchDirectory _scratch = new();
    private HortRepository _repository = null!;
    private StoredSnapshot _snapshot = null!;

    private string Source => _scratch.SubText("src");

    private string Target => _scratch.SubText("target");

    public async ValueTask InitializeAsync()
    {
        foreach (var dir in new[] { "src", "src/keep", "src/keep/sub", "src/other", "src/deep", "src/deep/one", "src/deep/one/two", "src/a-first" })
        {
            Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub(dir));
        }

        foreach (var file in new[] { "src/a.txt", "src/a.txt2", "src/keep/x", "src/keep/sub/y", "src/other/z", "src/keepnot", "src/deep/one/two/file", "src/deep/one/sibling" })
        {
            Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub(file), Encoding.UTF8.GetBytes(file));
        }

        // The first name of this hard link ("a-first/f") sorts before the included one and is not restored.
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/a-first/f"), "linked content"u8);
        Libc.HardLink(Libc.AT_FDCWD, _scratch.Sub("src/a-first/f"), Libc.AT_FDCWD, _scratch.Sub("src/keep/linked"));
        // A repository on disk, reopened for the restores: what was persisted is what gets restored.
        var store = Hort.Storage.LocalDirectoryBlobStore.Create(_scratch.SubText("repo"));
        using (var writing = await TestRepository.CreateAsync(store))
        {
            await writing.BackupAsync(Source);
        }

        _repository = await HortRepository.OpenAsync(new Hort.Storage.LocalDirectoryBlobStore(_scratch.SubText("repo")), "pw");
        await _repository.LoadIndexAsync();
        _snapshot = Assert.Single(await _repository.ListSnapshotsAsync());
    }

    public ValueTask DisposeAsync()
    {
        _repository.Dispose();
        _scratch.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Every path below the target, relative to the restored source ("." is the source itself).</summary>
    private List<string> RestoredBelowSource() => TreeState.Capture(Target + Source).Entries.Keys.ToList();

    [Fact]
    public async Task One_file_and_one_directory_restore_with_their_parents_and_nothing_else()
    {
        var result = await _repository.RestoreAsync(_snapshot, Target, Source + "/a.txt", Source + "/keep");

        Assert.Empty(result.Issues);
        Assert.Equal([".", "a.txt", "keep", "keep/linked", "keep/sub", "keep/sub/y", "keep/x"], RestoredBelowSource());

        // Above the source only the directories on the way: /tmp, then the scratch directory.
        Assert.Equal(["tmp"], Names(Target));
        Assert.Equal([_scratch.Text["/tmp/".Length..]], Names(Target + "/tmp"));
        Assert.Equal(["src"], Names(Target + _scratch.Text));
        Assert.Equal("src/a.txt"u8.ToArray(), Libc.ReadFile(Libc.AT_FDCWD, Encoding.UTF8.GetBytes(Target + Source + "/a.txt")));
    }

    [Fact]
    public async Task A_hard_link_whose_first_name_is_not_included_is_restored_as_a_whole_file()
    {
        await _repository.RestoreAsync(_snapshot, Target, Source + "/keep");

        var linked = Encoding.UTF8.GetBytes(Target + Source + "/keep/linked");
        Assert.Equal("linked content"u8.ToArray(), Libc.ReadFile(Libc.AT_FDCWD, linked));
        Assert.Equal(1UL, Libc.LStat(linked).LinkCount);
    }

    [Fact]
    public async Task A_file_deep_down_brings_only_its_own_parents()
    {
        var result = await _repository.RestoreAsync(_snapshot, Target, Source + "/deep/one/two/file");

        Assert.Empty(result.Issues);
        Assert.Equal([".", "deep", "deep/one", "deep/one/two", "deep/one/two/file"], RestoredBelowSource());
    }

    [Fact]
    public async Task Includes_match_whole_components_and_ignore_trailing_slashes_and_dots()
    {
        var result = await _repository.RestoreAsync(_snapshot, Target, Source + "/./keep/", Source + "/a.tx");

        Assert.Empty(result.Issues);
        Assert.Equal([".", "keep", "keep/linked", "keep/sub", "keep/sub/y", "keep/x"], RestoredBelowSource());
    }

    [Fact]
    public async Task Parent_directories_of_an_included_path_keep_their_recorded_metadata()
    {
        Libc.Chmod(Libc.AT_FDCWD, _scratch.Sub("src/deep"), 0x1C0);
        Libc.SetTimes(Libc.AT_FDCWD, _scratch.Sub("src/deep"), 1_300_000_000, 13);
        var snapshot = (await _repository.BackupAsync(Source)).Stored();

        await _repository.RestoreAsync(snapshot, Target, Source + "/deep/one/two/file");

        var deep = Libc.LStat(Encoding.UTF8.GetBytes(Target + Source + "/deep"));
        Assert.Equal((0x1C0u, 1_300_000_000L, 13L), (deep.Mode & 0xFFF, deep.ModifySeconds, deep.ModifyNanoseconds));
    }

    private static List<string> Names(string directory)
    {
        var fd = Libc.OpenDirectory(Libc.AT_FDCWD, Encoding.UTF8.GetBytes(directory));
        try
        {
            return Libc.ListNames(fd).Select(n => TreeState.Escape(n)).Order(StringComparer.Ordinal).ToList();
        }
        finally
        {
            Libc.close(fd);
        }
    }
}
