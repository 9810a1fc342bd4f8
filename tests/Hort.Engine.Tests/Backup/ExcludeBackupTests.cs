using System.Text;
using Hort.Engine.Backup;
using Hort.Engine.Tests.Support;

namespace Hort.Engine.Tests.Backup;

/// <summary>Exclude patterns and CACHEDIR.TAG directories through a real backup and restore.</summary>
public sealed class ExcludeBackupTests : IDisposable
{
    private const string RealSignature = "Signature: 8a477f597d28d172789f06886806bc55";

    private readonly ScratchDirectory _scratch = new();

    public ExcludeBackupTests()
    {
        foreach (var dir in new[] { "src", "src/sub", "src/node_modules", "src/node_modules/pkg", "src/build", "src/build/obj", "src/logs",
                     "src/cache-good", "src/cache-good/nested", "src/cache-bad", "src/cache-short" })
        {
            Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub(dir));
        }

        foreach (var file in new[] { "src/keep.txt", "src/a.tmp", "src/sub/b.tmp", "src/sub/keep", "src/node_modules/pkg/index.js",
                     "src/build/obj/x.o", "src/build/Makefile", "src/logs/today.log", "src/cache-good/blob", "src/cache-good/nested/blob",
                     "src/cache-bad/blob", "src/cache-short/blob" })
        {
            Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub(file), Encoding.UTF8.GetBytes(file));
        }

        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/cache-good/CACHEDIR.TAG"), Encoding.ASCII.GetBytes(RealSignature + "\n# This file is a cache directory tag.\n"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/cache-bad/CACHEDIR.TAG"), "Signature: 00000000000000000000000000000000\n"u8);
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/cache-short/CACHEDIR.TAG"), "Signature: 8a477f597d28"u8);
    }

    public void Dispose() => _scratch.Dispose();

    private string Source => _scratch.SubText("src");

    /// <summary>Backs up, restores into a fresh target, and lists what came back below the (single) backed-up path.</summary>
    private async Task<List<string>> BackupAndRestoreAsync(BackupOptions options)
    {
        var target = _scratch.SubText("target");
        using var repository = await TestRepository.CreateAsync();
        var backup = await new Archiver(repository, options).RunAsync(TestContext.Current.CancellationToken);
        Assert.Empty(backup.Issues);
        Assert.Equal(options.Excludes, backup.Snapshot.Excludes);
        var restore = await repository.RestoreAsync(backup.Stored(), target);
        Assert.Empty(restore.Issues);
        return TreeState.Capture(target + options.Paths.Single()).Entries.Keys.ToList();
    }

    [Fact]
    public async Task Name_absolute_and_suffix_patterns_and_cache_tags_leave_out_exactly_what_they_match()
    {
        var restored = await BackupAndRestoreAsync(new BackupOptions
        {
            Paths = [Source],
            Excludes = ["*.tmp", "node_modules", "build/obj/", Source + "/logs"],
            ExcludeCaches = true,
        });

        Assert.Equal(
        [
            ".", "build", "build/Makefile",
            "cache-bad", "cache-bad/CACHEDIR.TAG", "cache-bad/blob",
            "cache-good", "cache-good/CACHEDIR.TAG",
            "cache-short", "cache-short/CACHEDIR.TAG", "cache-short/blob",
            "keep.txt", "sub", "sub/keep",
        ], restored);
    }

    [Fact]
    public async Task A_tagged_directory_chosen_as_the_backup_path_itself_keeps_only_its_tag()
    {
        var restored = await BackupAndRestoreAsync(new BackupOptions { Paths = [Source + "/cache-good"], ExcludeCaches = true });

        Assert.Equal([".", "CACHEDIR.TAG"], restored);
    }

    [Fact]
    public async Task Without_the_cache_option_a_tagged_directory_is_saved_whole()
    {
        var restored = await BackupAndRestoreAsync(new BackupOptions { Paths = [Source + "/cache-good"] });

        Assert.Equal([".", "CACHEDIR.TAG", "blob", "nested", "nested/blob"], restored);
    }
}
