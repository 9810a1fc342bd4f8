using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary>
/// A damaged repository: commands that need the damaged data fail (exit ≠ 0) naming what is damaged,
/// <c>check</c> maps the damage to snapshots and paths, data that is still reachable is still read,
/// and nothing is changed by looking.
/// </summary>
public sealed class CorruptionTests
{
    [Fact]
    public async Task Without_index_files_everything_reads_from_the_pack_headers_changes_nothing_and_the_next_backup_reindexes()
    {
        using var repo = await CliRepository.CreateAsync("no-index");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(20));
        var id = await repo.BackupAsync(src);
        var pack = Path.GetFileName(Assert.Single(repo.Packs()).Key);
        DeleteIndexFiles(repo);
        var before = repo.Fingerprint();

        var list = await repo.RunOkAsync("snapshots");
        Assert.Contains(id[..8], list.Stdout);
        var check = await repo.RunOkAsync("check", "--read-data");
        Assert.Contains(pack, check.Stdout);
        Assert.Contains("not listed by any index", check.Stdout);
        var restore = await repo.RunOkAsync("restore", id, "--target", repo.Dir.Sub("out"));
        Assert.Contains("not listed by any index", restore.Stderr);
        AssertRestored(src, repo.Dir.Sub("out"));
        Assert.Equal(before, repo.Fingerprint());

        // The next backup writes an index for the pack it found; after that nothing is left to note.
        var other = Directory.CreateDirectory(repo.Dir.Sub("other")).FullName;
        File.WriteAllText(Path.Combine(other, "a.txt"), "a");
        await repo.BackupAsync(other);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(repo.RepositoryPath, "index")));
        var after = await repo.RunOkAsync("check", "--read-data");
        Assert.DoesNotContain("not listed by any index", after.Stdout);
        AssertRestored(src, await repo.RestoreAsync(id, repo.Dir.Sub("restored")));
    }

    [Fact]
    public async Task Without_index_files_a_pack_whose_header_is_lost_makes_restore_and_check_fail_naming_it()
    {
        using var repo = await CliRepository.CreateAsync("no-index-no-header");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(22));
        var id = await repo.BackupAsync(src);
        var (pack, length) = Assert.Single(repo.Packs());
        DeleteIndexFiles(repo);
        RepositoryDamage.Truncate(repo.RepositoryPath, pack, length - 100);
        var before = repo.Fingerprint();
        var packId = Path.GetFileName(pack);

        await repo.RunOkAsync("snapshots");
        var restore = await repo.RunAsync("restore", id, "--target", repo.Dir.Sub("out"));
        Assert.True(restore.ExitCode == 1, restore.ToString());
        Assert.StartsWith("hort: ", restore.StderrLines[^1]);
        Assert.Contains(packId, restore.Stderr);
        Assert.DoesNotContain("   at ", restore.Stderr);

        foreach (var args in new[] { ["check"], new[] { "check", "--read-data" } })
        {
            var check = await repo.RunAsync(args);
            Assert.True(check.ExitCode == 1, check.ToString());
            Assert.Contains(packId, check.Stderr);
            Assert.Contains($"snapshot {id[..8]}", check.Stderr);
        }

        Assert.Equal(before, repo.Fingerprint());
    }

    [Fact]
    public async Task A_truncated_pack_fails_restore_and_check_read_data_names_the_pack_snapshots_and_paths()
    {
        using var damaged = await TwoSnapshotsAsync("truncated");
        var (repo, src, first, second, pack) = damaged;
        RepositoryDamage.Truncate(repo.RepositoryPath, pack, new FileInfo(Path.Combine(repo.RepositoryPath, "data", pack)).Length / 2);
        var before = repo.Fingerprint();
        var packId = Path.GetFileName(pack);

        var restore = await repo.RunAsync("restore", second, "--target", repo.Dir.Sub("out"));
        Assert.NotEqual(0, restore.ExitCode);
        Assert.Contains(packId, restore.Stderr);

        var check = await repo.RunAsync("check", "--read-data");
        Assert.True(check.ExitCode == 1, check.ToString());
        Assert.Contains(packId, check.Stderr);
        Assert.Contains($"snapshot {first[..8]}", check.Stderr);
        Assert.Contains($"snapshot {second[..8]}: {src}/a.bin", check.Stderr);

        var structure = await repo.RunAsync("check");
        Assert.True(structure.ExitCode == 1, structure.ToString());
        Assert.Contains(packId, structure.Stderr);
        Assert.Equal(before, repo.Fingerprint());
    }

    [Fact]
    public async Task A_flipped_bit_in_a_pack_fails_restore_and_check_read_data_names_only_the_damaged_file()
    {
        using var damaged = await TwoSnapshotsAsync("bit-flip");
        var (repo, src, first, second, pack) = damaged;
        var blob = await RepositoryDamage.FlipBitInLargestDataBlobAsync(repo.RepositoryPath, CliRepository.Password, pack);
        var before = repo.Fingerprint();
        var packId = Path.GetFileName(pack);

        var restore = await repo.RunAsync("restore", first, "--target", repo.Dir.Sub("out"));
        Assert.NotEqual(0, restore.ExitCode);
        Assert.True(restore.Stderr.Contains(packId, StringComparison.Ordinal) || restore.Stderr.Contains(blob.ToString(), StringComparison.Ordinal), restore.ToString());
        Assert.Contains($"{src}/a.bin", restore.Stderr);

        var check = await repo.RunAsync("check", "--read-data");
        Assert.True(check.ExitCode == 1, check.ToString());
        Assert.Contains(packId, check.Stderr);
        Assert.Contains($"snapshot {first[..8]}: {src}/a.bin", check.Stderr);
        Assert.Contains($"snapshot {second[..8]}: {src}/a.bin", check.Stderr);

        // Only the file whose data was hit is lost; the rest of the pack verifies and is not reported.
        Assert.DoesNotContain("directory listing lost", check.Stderr);
        Assert.DoesNotContain($"{src}/sub", check.Stderr);

        Assert.Equal(before, repo.Fingerprint());
    }

    private static void DeleteIndexFiles(CliRepository repo)
    {
        foreach (var file in Directory.GetFiles(Path.Combine(repo.RepositoryPath, "index")))
        {
            File.Delete(file);
        }
    }

    private static void AssertRestored(string src, string target)
    {
        var expected = TreeManifest.Of(src);
        var actual = TreeManifest.Of(Path.Join(target, src));
        Assert.True(expected.Equals(actual), expected.DifferencesFrom(actual));
    }

    /// <summary>
    /// Snapshot 1 holds a.bin (5 MB) and sub/b.txt, all in one pack (returned); snapshot 2 adds c.bin, whose data
    /// and the changed trees go to a new pack, so snapshot 2 refers to the first pack only for a.bin and sub.
    /// </summary>
    private static async Task<DamagedSetup> TwoSnapshotsAsync(string label)
    {
        var repo = await CliRepository.CreateAsync(label);
        var src = repo.Dir.Sub("src");
        var random = new Random(21);
        RandomFiles.Write(Path.Combine(src, "a.bin"), 5 << 20, random);
        RandomFiles.Write(Path.Combine(src, "sub", "b.txt"), 3000, random);
        var first = await repo.BackupAsync(src);
        var pack = Assert.Single(repo.Packs()).Key;
        RandomFiles.Write(Path.Combine(src, "c.bin"), 1 << 20, random);
        var second = await repo.BackupAsync(src);
        Assert.Equal(2, repo.Packs().Count);
        return new DamagedSetup(repo, src, first, second, pack);
    }

    private sealed record DamagedSetup(CliRepository Repo, string Src, string First, string Second, string Pack) : IDisposable
    {
        public void Dispose() => Repo.Dispose();
    }
}
