using System.Text.Json;
using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary>
/// <c>hort repair</c> and <c>hort check --read-data-subset</c> as a user runs them: dry runs change nothing, every
/// action is reported, damaged packs land in <c>quarantine/</c>, damaged snapshots are flagged wherever they are shown,
/// and the rotation state lives in the cache folder.
/// </summary>
public sealed class RepairTests
{
    [Fact]
    public async Task After_a_pack_is_lost_repair_reports_marks_and_every_verb_shows_the_mark_and_check_is_clean()
    {
        using var repo = await CliRepository.CreateAsync("repair-lost-pack");
        var src = repo.Dir.Sub("src");
        var random = new Random(31);
        RandomFiles.Write(Path.Combine(src, "a.bin"), 2 << 20, random);
        RandomFiles.Write(Path.Combine(src, "keep", "b.txt"), 5000, random);
        var first = await repo.BackupAsync(src);
        var firstPacks = repo.Packs().Keys.ToHashSet();
        RandomFiles.Write(Path.Combine(src, "c.bin"), 1 << 20, random);
        var second = await repo.BackupAsync(src);
        var lost = Assert.Single(repo.Packs().Keys, p => !firstPacks.Contains(p));
        var lostBytes = File.ReadAllBytes(Path.Combine(repo.RepositoryPath, "data", lost));
        File.Delete(Path.Combine(repo.RepositoryPath, "data", lost));

        var broken = await repo.RunAsync("check");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains(Path.GetFileName(lost), broken.Stderr);

        var before = repo.Fingerprint();
        var dry = await repo.RunOkAsync("repair", "--dry-run");
        Assert.Equal(before, repo.Fingerprint());
        Assert.Contains("would write-index", dry.Stdout);
        Assert.Contains($"would mark-snapshot: snapshot {second[..8]}", dry.Stdout);

        var wrong = Path.Combine(repo.Dir.Path, "wrong-password");
        File.WriteAllText(wrong, "not the password\n");
        var refused = await repo.RunAsync("repair", "--password-file", wrong);
        Assert.Equal(12, refused.ExitCode);
        Assert.Equal(before, repo.Fingerprint());

        var repair = await repo.RunOkAsync("repair", "--json");
        var doc = CliRepository.LastJsonLine(repair.Stdout);
        Assert.Equal("repair", doc.GetProperty("message_type").GetString());
        var kinds = doc.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("kind").GetString()).ToList();
        Assert.Contains("write-index", kinds);
        Assert.Contains("mark-snapshot", kinds);
        var damaged = Assert.Single(doc.GetProperty("damaged_snapshots").EnumerateArray());
        Assert.Equal(second, damaged.GetProperty("snapshot").GetString());
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(repo.RepositoryPath, "damage")));

        var check = await repo.RunOkAsync("check", "--read-data");
        Assert.Contains($"snapshot {second[..8]} is marked damaged", check.Stderr);
        Assert.Contains("no new errors", check.Stdout);

        var snapshots = await repo.RunOkAsync("snapshots");
        Assert.Contains($"snapshot {second[..8]} is marked damaged", snapshots.Stderr);
        using (var json = JsonDocument.Parse((await repo.RunOkAsync("snapshots", "--json")).Stdout))
        {
            var flags = json.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("id").GetString()!, s => s.GetProperty("damaged").GetBoolean());
            Assert.False(flags[first]);
            Assert.True(flags[second]);
        }

        // Its root listing is in the lost pack, so ls fails; it names the damage first.
        var ls = await repo.RunAsync("ls", second);
        Assert.Contains("is marked damaged", ls.Stderr);
        Assert.Contains("/ (directory listing lost)", ls.Stderr);
        var restore = await repo.RunAsync("restore", second, "--target", repo.Dir.Sub("out"));
        Assert.Contains("is marked damaged", restore.Stderr);
        Assert.NotEqual(0, restore.ExitCode);
        await repo.RunOkAsync("restore", first, "--target", repo.Dir.Sub("first"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(src, "a.bin")), File.ReadAllBytes(repo.Dir.Sub("first") + Path.Combine(src, "a.bin")));

        // Healing: the next backup stores the lost data again and its snapshot is whole.
        var healed = await repo.BackupAsync(src);
        await repo.RunOkAsync("restore", healed, "--target", repo.Dir.Sub("healed"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(src, "c.bin")), File.ReadAllBytes(repo.Dir.Sub("healed") + Path.Combine(src, "c.bin")));
        Assert.Contains("no new errors", (await repo.RunOkAsync("check", "--read-data")).Stdout);
        Assert.DoesNotContain(healed[..8], (await repo.RunOkAsync("repair")).Stdout);

        // An intact copy of the lost pack turns up (say, on an older copy of the disk): repair lifts the mark.
        File.WriteAllBytes(Path.Combine(repo.RepositoryPath, "data", lost), lostBytes);
        var again = await repo.RunOkAsync("repair");
        Assert.Contains($"unmark-snapshot: snapshot {second[..8]}", again.Stdout);
        Assert.Contains("no errors were found", (await repo.RunOkAsync("check", "--read-data")).Stdout);
        Assert.Contains("nothing to repair", (await repo.RunOkAsync("repair")).Stdout);
    }

    [Fact]
    public async Task A_pack_with_a_flipped_bit_is_moved_to_quarantine_and_its_other_files_stay_restorable()
    {
        using var repo = await CliRepository.CreateAsync("repair-bit-flip");
        var src = repo.Dir.Sub("src");
        var random = new Random(32);
        RandomFiles.Write(Path.Combine(src, "a.bin"), 3 << 20, random);
        RandomFiles.Write(Path.Combine(src, "b.bin"), 1 << 20, random);
        var id = await repo.BackupAsync(src);
        var pack = Assert.Single(repo.Packs()).Key;
        await RepositoryDamage.FlipBitInLargestDataBlobAsync(repo.RepositoryPath, CliRepository.Password, pack);
        var damagedBytes = File.ReadAllBytes(Path.Combine(repo.RepositoryPath, "data", pack));

        var repair = await repo.RunOkAsync("repair");

        Assert.Contains($"quarantine: data/{pack}", repair.Stdout);
        Assert.Contains($"  {src}/a.bin", repair.Stdout);
        Assert.False(File.Exists(Path.Combine(repo.RepositoryPath, "data", pack)));
        Assert.Equal(damagedBytes, File.ReadAllBytes(Path.Combine(repo.RepositoryPath, "quarantine", Path.GetFileName(pack))));
        await repo.RunOkAsync("check", "--read-data");
        await repo.RunOkAsync("restore", id, "--target", repo.Dir.Sub("out"), "--include", Path.Combine(src, "b.bin"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(src, "b.bin")), File.ReadAllBytes(repo.Dir.Sub("out") + Path.Combine(src, "b.bin")));
    }

    [Fact]
    public async Task Check_read_data_subset_rotates_through_the_packs_and_keeps_its_place_in_the_cache_folder()
    {
        using var repo = await CliRepository.CreateAsync("check-subset");
        var src = repo.Dir.Sub("src");
        var random = new Random(33);
        for (var i = 0; i < 4; i++)
        {
            RandomFiles.Write(Path.Combine(src, $"f{i}.bin"), 100_000, random);
            await repo.BackupAsync(src);
        }

        Assert.Equal(4, repo.Packs().Count);
        var cursors = new List<string>();
        var read = 0;
        for (var run = 0; run < 2; run++)
        {
            var result = await repo.RunOkAsync("check", "--read-data-subset=50%", "--json");
            var doc = CliRepository.LastJsonLine(result.Stdout);
            Assert.Equal(2, doc.GetProperty("packs_read").GetInt32());
            read += doc.GetProperty("packs_read").GetInt32();
            var state = Assert.Single(Directory.GetFiles(repo.Dir.Sub("cache", "hort"), "check-state.json", SearchOption.AllDirectories));
            cursors.Add(JsonDocument.Parse(File.ReadAllText(state)).RootElement.GetProperty("read_data_cursor").GetString()!);
        }

        Assert.Equal(4, read);
        Assert.NotEqual(cursors[0], cursors[1]);
        var packNames = repo.Packs().Keys.Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(packNames[1], cursors[0]);
        Assert.Equal(packNames[3], cursors[1]);

        var part = CliRepository.LastJsonLine((await repo.RunOkAsync("check", "--read-data-subset=1/1", "--json")).Stdout);
        Assert.Equal(4, part.GetProperty("packs_read").GetInt32());
        var bad = await repo.RunAsync("check", "--read-data-subset=0%");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal(2, (await repo.RunAsync("check", "--read-data", "--read-data-subset=5%")).ExitCode);
    }
}
