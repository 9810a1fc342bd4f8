using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary>
/// Bad input gets the documented exit code, exactly one "hort: …" line on stderr (no stack trace), and leaves the
/// repository byte for byte as it was.
/// </summary>
public sealed class ErrorTests
{
    [Fact]
    public async Task A_wrong_password_exits_12_and_changes_nothing()
    {
        using var repo = await CliRepository.CreateAsync("wrong-password");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(10));
        var id = await repo.BackupAsync(src);
        var before = repo.Fingerprint();
        var wrong = repo.Hort.With("HORT_PASSWORD", "not the password");

        foreach (var args in new[]
                 {
                     ["snapshots"], ["backup", src], ["restore", id, "--target", repo.Dir.Sub("out")], ["check", "--read-data"],
                     ["ls", id], ["key", "list"], ["cat", "config"], new[] { "diff", id, id },
                 })
        {
            var result = await wrong.RunAsync(args);
            var line = HortAssert.Fails(result, 12);
            Assert.Contains("password", line);
            Assert.Equal("", result.Stdout);
        }

        var fromFile = repo.Dir.Sub("wrong.txt");
        File.WriteAllText(fromFile, "also wrong\n");
        HortAssert.Fails(await repo.Hort.With("HORT_PASSWORD", null).RunAsync("snapshots", "--password-file", fromFile), 12);

        Assert.Equal(before, repo.Fingerprint());
        Assert.False(Directory.Exists(repo.Dir.Sub("out")));
    }

    [Fact]
    public async Task No_repository_at_the_location_exits_10()
    {
        using var dir = new TempDirectory("no-repo");
        var missing = dir.Sub("missing");
        var empty = dir.Sub("empty");
        Directory.CreateDirectory(empty);
        var hort = new HortProcess(new Dictionary<string, string?> { ["HORT_PASSWORD"] = "pw" });

        HortAssert.Fails(await hort.RunAsync("snapshots", "--repo", missing), 10);
        HortAssert.Fails(await hort.With("HORT_REPOSITORY", missing).RunAsync("backup", dir.Path), 10);
        var line = HortAssert.Fails(await hort.RunAsync("check", "--repo", empty), 10);
        Assert.Contains(empty, line);

        Assert.False(Directory.Exists(missing));
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
    }

    [Fact]
    public async Task No_repository_given_at_all_exits_1()
    {
        var hort = new HortProcess(new Dictionary<string, string?> { ["HORT_PASSWORD"] = "pw" });

        var line = HortAssert.Fails(await hort.RunAsync("snapshots"), 1);
        Assert.Contains("--repo", line);
        Assert.Contains("HORT_REPOSITORY", line);
    }

    [Fact]
    public async Task No_password_source_and_no_terminal_exits_1_instead_of_waiting()
    {
        using var repo = await CliRepository.CreateAsync("no-password");
        var before = repo.Fingerprint();

        var line = HortAssert.Fails(await repo.Hort.With("HORT_PASSWORD", null).RunAsync("snapshots"), 1);
        Assert.Contains("HORT_PASSWORD", line);
        Assert.Equal(before, repo.Fingerprint());
    }

    [Fact]
    public async Task Init_refuses_a_directory_that_is_not_empty_or_already_a_repository()
    {
        using var repo = await CliRepository.CreateAsync("init-twice");
        var before = repo.Fingerprint();

        HortAssert.Fails(await repo.RunAsync("init"), 1);
        Assert.Equal(before, repo.Fingerprint());

        var occupied = repo.Dir.Sub("occupied");
        Directory.CreateDirectory(occupied);
        File.WriteAllText(Path.Combine(occupied, "thesis.odt"), "years of work");
        var line = HortAssert.Fails(await repo.Hort.With("HORT_REPOSITORY", occupied).RunAsync("init"), 1);
        Assert.Contains("not empty", line);
        Assert.Equal(["thesis.odt"], Directory.EnumerateFileSystemEntries(occupied).Select(Path.GetFileName));
        Assert.Equal("years of work", File.ReadAllText(Path.Combine(occupied, "thesis.odt")));
    }

    [Fact]
    public async Task An_unknown_snapshot_id_exits_1_and_restores_nothing()
    {
        using var repo = await CliRepository.CreateAsync("unknown-id");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(11));
        var id = await repo.BackupAsync(src);
        var before = repo.Fingerprint();
        var unknown = id[0] == 'f' ? "0" + id[1..] : "f" + id[1..];
        var target = repo.Dir.Sub("out");

        var line = HortAssert.Fails(await repo.RunAsync("restore", unknown, "--target", target), 1);
        Assert.Contains(unknown, line);
        HortAssert.Fails(await repo.RunAsync("restore", unknown[..8], "--target", target), 1);
        HortAssert.Fails(await repo.RunAsync("ls", unknown), 1);
        HortAssert.Fails(await repo.RunAsync("diff", id, unknown), 1);
        HortAssert.Fails(await repo.RunAsync("cat", "snapshot", unknown), 1);
        HortAssert.Fails(await repo.RunAsync("ls", "not-hex"), 1);

        Assert.False(Directory.Exists(target));
        Assert.Equal(before, repo.Fingerprint());
    }

    [Fact]
    public async Task A_newer_format_version_is_refused_by_name_and_left_alone()
    {
        using var repo = await CliRepository.CreateAsync("version-2");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(12));
        await repo.BackupAsync(src);
        RepositoryDamage.SetConfigVersion(repo.RepositoryPath, 2);
        var before = repo.Fingerprint();

        foreach (var args in new[] { ["snapshots"], ["backup", src], ["check"], new[] { "restore", "latest", "--target", repo.Dir.Sub("out") } })
        {
            var line = HortAssert.Fails(await repo.RunAsync(args), 1);
            Assert.Contains("version 2", line);
        }

        // The version is read before any password work, so even a wrong password gets the version message.
        var wrong = await repo.Hort.With("HORT_PASSWORD", "wrong").RunAsync("snapshots");
        Assert.Contains("version 2", HortAssert.Fails(wrong, 1));
        Assert.Equal(before, repo.Fingerprint());
    }

    [Fact]
    public async Task Backing_up_a_path_that_does_not_exist_is_fatal_and_writes_nothing()
    {
        using var repo = await CliRepository.CreateAsync("missing-path");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(13));
        await repo.BackupAsync(src);
        var before = repo.Fingerprint();
        var missing = repo.Dir.Sub("gone");

        var line = HortAssert.Fails(await repo.RunAsync("backup", missing), 1);
        Assert.Contains(missing, line);

        // Also when it comes after a good path: nothing is saved, not even the good part.
        RandomFiles.Write(Path.Combine(src, "new.bin"), 2 << 20, new Random(130));
        Assert.Contains(missing, HortAssert.Fails(await repo.RunAsync("backup", src, missing), 1));

        Assert.Equal(before, repo.Fingerprint());
        Assert.Single(await repo.SnapshotIdsAsync());
    }
}
