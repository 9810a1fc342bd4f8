using System.Text.Json;
using System.Text.RegularExpressions;
using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary>The everyday verbs run as the real program: what they print, and that the data comes back intact.</summary>
public sealed partial class HappyPathTests
{
    [Fact]
    public async Task Backup_prints_the_snapshot_id_as_text_quietly_and_as_json()
    {
        using var repo = await CliRepository.CreateAsync("backup-output");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(1));

        var text = await repo.RunOkAsync("backup", src);
        var id = Assert.Single(text.PrintedIds());
        Assert.Contains($"snapshot {id} saved", text.Stdout);

        var quiet = await repo.RunOkAsync("backup", "--quiet", src);
        Assert.Matches(FullId(), quiet.Stdout.TrimEnd('\n'));
        Assert.Equal("", quiet.Stderr);

        var json = await repo.RunOkAsync("backup", "--json", "--force", src);
        var line = Assert.Single(json.StdoutLines);
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("summary", doc.RootElement.GetProperty("message_type").GetString());
        Assert.Matches(FullId(), doc.RootElement.GetProperty("snapshot_id").GetString()!);
        Assert.Equal(7, doc.RootElement.GetProperty("total_files_processed").GetInt32());

        var ids = await repo.SnapshotIdsAsync();
        Assert.Equal([id, quiet.Stdout.Trim(), doc.RootElement.GetProperty("snapshot_id").GetString()!], ids);
    }

    [Fact]
    public async Task Snapshots_lists_every_backup_as_a_table_and_as_a_json_array()
    {
        using var repo = await CliRepository.CreateAsync("snapshots");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(2));
        var first = await repo.BackupAsync(src);
        var second = await repo.RunOkAsync("backup", "--quiet", "--host", "office-pc", "--tag", "daily", src);
        var secondId = Assert.Single(second.PrintedIds());

        var table = await repo.RunOkAsync("snapshots");
        Assert.Contains(first[..8], table.Stdout);
        Assert.Contains(secondId[..8], table.Stdout);
        Assert.Contains("office-pc", table.Stdout);
        Assert.Contains("daily", table.Stdout);
        Assert.Contains(src, table.Stdout);

        var json = await repo.RunOkAsync("snapshots", "--json");
        using var doc = JsonDocument.Parse(json.Stdout);
        var list = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal([first, secondId], list.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("office-pc", list[1].GetProperty("hostname").GetString());
        Assert.Equal(["daily"], list[1].GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal([src], list[0].GetProperty("paths").EnumerateArray().Select(t => t.GetString()));

        var filtered = await repo.RunOkAsync("snapshots", "--json", "--host", "office-pc");
        using var filteredDoc = JsonDocument.Parse(filtered.Stdout);
        Assert.Equal([secondId], filteredDoc.RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Ls_lists_a_path_and_what_is_below_it_plainly_long_and_as_json()
    {
        using var repo = await CliRepository.CreateAsync("ls");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(3));
        var id = await repo.BackupAsync(src);
        var docs = src + "/docs";

        var plain = await repo.RunOkAsync("ls", id, docs);
        Assert.Equal(
            [docs, docs + "/2024", docs + "/2024/invoice.pdf", docs + "/2024/report.odt", docs + "/private.key"],
            plain.StdoutLines.Order(StringComparer.Ordinal));

        var whole = await repo.RunOkAsync("ls", id[..8]);
        Assert.Contains(src + "/grüße.txt", whole.StdoutLines);
        Assert.Contains(src + "/empty-dir", whole.StdoutLines);

        var longForm = await repo.RunOkAsync("ls", "-l", "latest", docs);
        var keyLine = Assert.Single(longForm.StdoutLines, l => l.EndsWith("/private.key", StringComparison.Ordinal));
        Assert.StartsWith("-rw------- ", keyLine);
        Assert.Contains(" 300 ", keyLine);
        Assert.StartsWith("drwx", Assert.Single(longForm.StdoutLines, l => l.EndsWith("/2024", StringComparison.Ordinal)));
        var linkLine = (await repo.RunOkAsync("ls", "-l", id, src + "/latest-report")).StdoutLines;
        Assert.Contains(linkLine, l => l.StartsWith('l') && l.EndsWith("latest-report -> docs/2024/report.odt", StringComparison.Ordinal));

        var json = await repo.RunOkAsync("ls", "--json", id, docs);
        var entries = json.StdoutLines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(5, entries.Count);
        var report = Assert.Single(entries, e => e.GetProperty("path").GetString() == docs + "/2024/report.odt");
        Assert.Equal("file", report.GetProperty("type").GetString());
        Assert.Equal(70_000, report.GetProperty("size").GetInt64());
        Assert.Equal("directory", entries.Single(e => e.GetProperty("path").GetString() == docs).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Restore_gives_back_a_byte_identical_tree()
    {
        using var repo = await CliRepository.CreateAsync("restore");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(4));
        var id = await repo.BackupAsync(src);

        var target = await repo.RestoreAsync(id, repo.Dir.Sub("restored"));

        var expected = TreeManifest.Of(src);
        var actual = TreeManifest.Of(Path.Join(target, src));
        Assert.True(expected.Equals(actual), expected.DifferencesFrom(actual));
        Assert.Equal(11, expected.Entries.Count);

        var only = repo.Dir.Sub("only-docs");
        await repo.RunOkAsync("restore", id, "--target", only, "--include", src + "/docs");
        Assert.True(File.Exists(Path.Join(only, src, "docs/2024/report.odt")));
        Assert.False(File.Exists(Path.Join(only, src, "big.bin")));
    }

    [Fact]
    public async Task Diff_marks_added_removed_and_modified_files()
    {
        using var repo = await CliRepository.CreateAsync("diff");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(5));
        var before = await repo.BackupAsync(src);

        File.Delete(Path.Combine(src, "notes.txt"));
        File.WriteAllText(Path.Combine(src, "docs", "2024", "new.txt"), "added later\n");
        RandomFiles.Write(Path.Combine(src, "docs", "2024", "invoice.pdf"), 9_000, new Random(50));
        var after = await repo.BackupAsync(src);

        var diff = await repo.RunOkAsync("diff", before, after);
        var changes = diff.StdoutLines
            .Select(l => DiffLine().Match(l))
            .Where(m => m.Success)
            .Select(m => (m.Groups[1].Value, m.Groups[2].Value))
            .ToList();
        Assert.Contains(("-", src + "/notes.txt"), changes);
        Assert.Contains(("+", src + "/docs/2024/new.txt"), changes);
        Assert.Contains(("M", src + "/docs/2024/invoice.pdf"), changes);
        Assert.DoesNotContain(changes, c => c.Item2.EndsWith("report.odt", StringComparison.Ordinal) || c.Item2.EndsWith("big.bin", StringComparison.Ordinal));
        Assert.Contains("added: 1, removed: 1, modified: 1", diff.Stdout);
    }

    [Fact]
    public async Task Check_and_check_read_data_pass_on_a_healthy_repository()
    {
        using var repo = await CliRepository.CreateAsync("check");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(6));
        await repo.BackupAsync(src);
        RandomFiles.Write(Path.Combine(src, "later.bin"), 1 << 20, new Random(60));
        await repo.BackupAsync(src);
        var fingerprint = repo.Fingerprint();

        var check = await repo.RunOkAsync("check");
        Assert.Contains("no errors were found", check.Stdout);
        var readData = await repo.RunOkAsync("check", "--read-data");
        Assert.Contains("no errors were found", readData.Stdout);
        Assert.Equal("", readData.Stderr);
        Assert.Equal(fingerprint, repo.Fingerprint());
    }

    [Fact]
    public async Task Keys_are_added_listed_removed_and_a_changed_password_locks_out_the_old_one()
    {
        using var repo = await CliRepository.CreateAsync("keys");
        var second = repo.Dir.Sub("second-password");
        File.WriteAllText(second, "another password\n");

        await repo.RunOkAsync("key", "add", "--new-password-file", second);
        var list = await repo.RunOkAsync("key", "list", "--json");
        using (var doc = JsonDocument.Parse(list.Stdout))
        {
            var keys = doc.RootElement.EnumerateArray().ToList();
            Assert.Equal(2, keys.Count);
            Assert.Single(keys, k => k.GetProperty("current").GetBoolean());
        }

        var table = await repo.RunOkAsync("key", "list");
        Assert.Single(table.StdoutLines, l => l.StartsWith('*'));

        // The added password opens the repository too, and from there it can remove the first key.
        var viaSecond = repo.Hort.With("HORT_PASSWORD", null);
        var snapshots = await viaSecond.RunAsync("snapshots", "--password-file", second);
        Assert.True(snapshots.ExitCode == 0, snapshots.ToString());
        var fromEnvironmentFile = await viaSecond.With("HORT_PASSWORD_FILE", second).RunAsync("snapshots");
        Assert.True(fromEnvironmentFile.ExitCode == 0, fromEnvironmentFile.ToString());
        var secondList = await viaSecond.RunAsync("key", "list", "--json", "--password-file", second);
        string firstKey;
        using (var doc = JsonDocument.Parse(secondList.Stdout))
        {
            firstKey = doc.RootElement.EnumerateArray().Single(k => !k.GetProperty("current").GetBoolean()).GetProperty("id").GetString()!;
        }

        var refused = await repo.RunAsync("key", "remove", firstKey);
        Assert.NotEqual(0, refused.ExitCode);
        HortAssert.OneLineError(refused);

        var removed = await viaSecond.RunAsync("key", "remove", firstKey[..8], "--password-file", second);
        Assert.True(removed.ExitCode == 0, removed.ToString());
        var locked = await repo.RunAsync("snapshots");
        Assert.Equal(12, locked.ExitCode);
        HortAssert.OneLineError(locked);

        // passwd: a new key for the new password, the old one stops working.
        var third = repo.Dir.Sub("third-password");
        File.WriteAllText(third, "third password");
        var passwd = await viaSecond.RunAsync("key", "passwd", "--password-file", second, "--new-password-file", third);
        Assert.True(passwd.ExitCode == 0, passwd.ToString());
        var old = await viaSecond.RunAsync("snapshots", "--password-file", second);
        Assert.Equal(12, old.ExitCode);
        HortAssert.OneLineError(old);
        Assert.Equal("", old.Stdout);
        var fresh = await repo.Hort.With("HORT_PASSWORD", "third password").RunAsync("key", "list", "--json");
        Assert.True(fresh.ExitCode == 0, fresh.ToString());
        using (var doc = JsonDocument.Parse(fresh.Stdout))
        {
            Assert.True(Assert.Single(doc.RootElement.EnumerateArray()).GetProperty("current").GetBoolean());
        }
    }

    [Fact]
    public async Task Cat_prints_the_config_and_a_snapshot_as_json()
    {
        using var repo = await CliRepository.CreateAsync("cat");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(7));
        var id = await repo.BackupAsync(src);

        var config = await repo.RunOkAsync("cat", "config");
        using (var doc = JsonDocument.Parse(config.Stdout))
        {
            Assert.Equal(1, doc.RootElement.GetProperty("version").GetInt32());
            Assert.Matches(FullId(), doc.RootElement.GetProperty("id").GetString()!);
        }

        var snapshot = await repo.RunOkAsync("cat", "snapshot", id[..10]);
        using (var doc = JsonDocument.Parse(snapshot.Stdout))
        {
            Assert.Matches(FullId(), doc.RootElement.GetProperty("tree").GetString()!);
            Assert.Equal([src], doc.RootElement.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
        }
    }

    [Fact]
    public async Task Json_output_is_nothing_but_json_documents_one_per_line()
    {
        using var repo = await CliRepository.CreateAsync("json-lines");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(8));
        var first = await repo.BackupAsync(src);
        File.WriteAllText(Path.Combine(src, "notes.txt"), "changed\n");

        // A second backup finds a parent; restore, check and diff have progress lines in text mode.
        var backup = await repo.RunOkAsync("backup", "--json", src);
        var second = CliRepository.LastJsonLine(backup.Stdout).GetProperty("snapshot_id").GetString()!;
        var restore = await repo.RunOkAsync("restore", "--json", second, "--target", repo.Dir.Sub("out"));
        var check = await repo.RunOkAsync("check", "--json");
        var diff = await repo.RunOkAsync("diff", "--json", first, second);

        foreach (var result in new[] { backup, restore, check, diff })
        {
            Assert.All(result.StdoutLines, line =>
            {
                using var doc = JsonDocument.Parse(line);
                Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
            });
        }
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex FullId();

    [GeneratedRegex(@"^([-+MTU])\s+(/.*)$")]
    private static partial Regex DiffLine();
}
