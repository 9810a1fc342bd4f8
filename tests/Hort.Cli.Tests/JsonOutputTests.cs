using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary>
/// The --json output is what scripts parse: every verb's documents keep their property names, in this order, and the
/// kinds of their values (IDs as hex strings, times as ISO 8601 with offset, counts as numbers, absent values as null).
/// </summary>
public sealed partial class JsonOutputTests
{
    private static readonly string[] SummaryShape =
    [
        "files:Number", "directories:Number", "other_entries:Number", "total_bytes:Number", "files_new:Number", "files_changed:Number",
        "files_unchanged:Number", "blobs_added:Number", "bytes_added:Number", "stored_bytes_added:Number", "errors:Number",
        "started:String", "finished:String",
    ];

    [Fact]
    public async Task Init_prints_the_new_repository_id_and_its_location()
    {
        using var dir = new TempDirectory("json-init");
        var location = dir.Sub("repo \"grüße\"");
        var hort = new HortProcess(new Dictionary<string, string?> { ["HORT_REPOSITORY"] = location, ["HORT_PASSWORD"] = "x" });

        var result = await hort.RunAsync("init", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var doc = JsonDocument.Parse(Assert.Single(result.StdoutLines));
        Assert.Equal(["message_type:String", "id:String", "repository:String"], Shape(doc.RootElement));
        Assert.Equal("initialized", doc.RootElement.GetProperty("message_type").GetString());
        Assert.Matches(FullId(), doc.RootElement.GetProperty("id").GetString()!);
        Assert.Equal(location, doc.RootElement.GetProperty("repository").GetString());
    }

    [Fact]
    public async Task Backup_snapshots_ls_diff_and_restore_print_their_documented_fields()
    {
        using var repo = await CliRepository.CreateAsync("json-shapes");
        var src = repo.Dir.Sub("src");
        RandomFiles.WriteSampleTree(src, new Random(41));

        var backup = CliRepository.LastJsonLine((await repo.RunOkAsync("backup", "--json", "--host", "pc-1", "--tag", "daily", src)).Stdout);
        Assert.Equal(
            [
                "message_type:String", "snapshot_id:String", "files_new:Number", "files_changed:Number", "files_unchanged:Number",
                "directories:Number", "other_entries:Number", "data_blobs_added:Number", "data_added:Number", "data_added_stored:Number",
                "total_files_processed:Number", "total_bytes_processed:Number", "total_duration:Number", "errors:Array",
            ],
            Shape(backup));
        Assert.Equal("summary", backup.GetProperty("message_type").GetString());
        Assert.Equal(7, backup.GetProperty("files_new").GetInt64());
        Assert.Equal(1, backup.GetProperty("other_entries").GetInt64());
        var first = backup.GetProperty("snapshot_id").GetString()!;

        File.WriteAllText(Path.Combine(src, "notes.txt"), "changed\n");
        var incomplete = await repo.RunAsync("backup", "--json", "--host", "pc-1", "--tag", "daily", "--parent", first, src, "/proc/self/mem");
        Assert.Equal(3, incomplete.ExitCode);
        var summary = CliRepository.LastJsonLine(incomplete.Stdout);
        var issue = Assert.Single(summary.GetProperty("errors").EnumerateArray());
        Assert.Equal(["path:String", "message:String"], Shape(issue));
        Assert.Equal("/proc/self/mem", issue.GetProperty("path").GetString());
        var second = summary.GetProperty("snapshot_id").GetString()!;

        using (var snapshots = JsonDocument.Parse((await repo.RunOkAsync("snapshots", "--json")).Stdout))
        {
            var list = snapshots.RootElement.EnumerateArray().ToList();
            Assert.Equal(2, list.Count);
            Assert.Equal(
                [
                    "id:String", "short_id:String", "time:String", "tree:String", "paths:Array", "hostname:String", "username:String",
                    "tags:Array", "parent:Null", "summary:Object", "damaged:False", "damaged_paths:Null",
                ],
                Shape(list[0]));
            Assert.Equal(first, list[0].GetProperty("id").GetString());
            Assert.Equal(first[..8], list[0].GetProperty("short_id").GetString());
            Assert.Matches(IsoTime(), list[0].GetProperty("time").GetString()!);
            Assert.Matches(FullId(), list[0].GetProperty("tree").GetString()!);
            Assert.Equal([src], Strings(list[0].GetProperty("paths")));
            Assert.Equal("pc-1", list[0].GetProperty("hostname").GetString());
            Assert.Equal(["daily"], Strings(list[0].GetProperty("tags")));
            Assert.Equal(SummaryShape, Shape(list[0].GetProperty("summary")));
            Assert.Equal(7, list[0].GetProperty("summary").GetProperty("files").GetInt64());
            Assert.Matches(IsoTime(), list[0].GetProperty("summary").GetProperty("finished").GetString()!);
            Assert.Equal(first, list[1].GetProperty("parent").GetString());
        }

        var entries = (await repo.RunOkAsync("ls", "--json", first)).StdoutLines.Select(Parse).ToList();
        Assert.All(entries, e => Assert.Equal(
            [
                "path:String", "name:String", "type:String", "mode:String", "uid:Number", "gid:Number", "user:String", "group:String",
                "size:Number", "mtime:String", e.GetProperty("type").GetString() == "symlink" ? "link_target:String" : "link_target:Null",
            ],
            Shape(e)));
        var key = Assert.Single(entries, e => e.GetProperty("path").GetString() == src + "/docs/private.key");
        Assert.Equal(("private.key", "file", "600", 300), (key.GetProperty("name").GetString(), key.GetProperty("type").GetString(), key.GetProperty("mode").GetString(), key.GetProperty("size").GetInt32()));
        Assert.Matches(IsoTime(), key.GetProperty("mtime").GetString()!);
        var link = Assert.Single(entries, e => e.GetProperty("path").GetString() == src + "/latest-report");
        Assert.Equal(("symlink", "docs/2024/report.odt"), (link.GetProperty("type").GetString(), link.GetProperty("link_target").GetString()));
        Assert.Equal(0, entries.Single(e => e.GetProperty("path").GetString() == src + "/docs").GetProperty("size").GetInt64());

        var diff = (await repo.RunOkAsync("diff", "--json", first, second)).StdoutLines.Select(Parse).ToList();
        var change = Assert.Single(diff, d => d.TryGetProperty("path", out var path) && path.GetString() == src + "/notes.txt");
        Assert.Equal(["message_type:String", "path:String", "modifier:String"], Shape(change));
        Assert.Equal(("change", "M"), (change.GetProperty("message_type").GetString(), change.GetProperty("modifier").GetString()));
        Assert.Equal(["message_type:String", "added:Number", "removed:Number", "modified:Number", "type_changed:Number", "metadata_changed:Number"], Shape(diff[^1]));
        Assert.Equal(("statistics", 1), (diff[^1].GetProperty("message_type").GetString(), diff[^1].GetProperty("modified").GetInt32()));

        var restore = CliRepository.LastJsonLine((await repo.RunOkAsync("restore", "--json", first, "--target", repo.Dir.Sub("out"))).Stdout);
        Assert.Equal(
            [
                "message_type:String", "snapshot_id:String", "files_restored:Number", "directories_restored:Number", "other_restored:Number",
                "bytes_restored:Number", "total_duration:Number", "errors:Array",
            ],
            Shape(restore));
        Assert.Equal(("summary", first, 7), (restore.GetProperty("message_type").GetString(), restore.GetProperty("snapshot_id").GetString(), restore.GetProperty("files_restored").GetInt32()));
        Assert.Empty(restore.GetProperty("errors").EnumerateArray());
    }

    [Fact]
    public async Task Check_and_repair_name_the_damage_and_the_marked_snapshot_in_their_documented_fields()
    {
        using var repo = await CliRepository.CreateAsync("json-damage");
        var src = repo.Dir.Sub("src");
        var random = new Random(42);
        RandomFiles.Write(Path.Combine(src, "a.bin"), 200_000, random);
        await repo.BackupAsync(src);
        var firstPacks = repo.Packs().Keys.ToHashSet();
        RandomFiles.Write(Path.Combine(src, "b.bin"), 200_000, random);
        var second = await repo.BackupAsync(src);
        File.Delete(Path.Combine(repo.RepositoryPath, "data", Assert.Single(repo.Packs().Keys, p => !firstPacks.Contains(p))));

        var broken = await repo.RunAsync("check", "--json");
        Assert.Equal(1, broken.ExitCode);
        var check = CliRepository.LastJsonLine(broken.Stdout);
        Assert.Equal(
            [
                "message_type:String", "is_clean:False", "snapshots_checked:Number", "trees_checked:Number", "packs_total:Number",
                "packs_read:Number", "blobs_verified:Number", "read_data_subset:Null", "errors:Array", "known_damage:Array",
                "damaged_snapshots:Array", "notes:Array",
            ],
            Shape(check));
        var error = check.GetProperty("errors")[0];
        Assert.Equal(["object:String", "description:String", "affected:Array"], Shape(error));
        Assert.Contains(Strings(error.GetProperty("affected")), a => a!.StartsWith($"snapshot {second[..8]}: ", StringComparison.Ordinal));

        var dry = CliRepository.LastJsonLine((await repo.RunOkAsync("repair", "--dry-run", "--json")).Stdout);
        Assert.Equal(
            [
                "message_type:String", "dry_run:True", "packs_read:Number", "packs_damaged:Number", "blobs_salvaged:Number",
                "blobs_lost:Number", "actions:Array", "damaged_snapshots:Array", "warnings:Array",
            ],
            Shape(dry));
        Assert.All(dry.GetProperty("actions").EnumerateArray(), a => Assert.Equal(["kind:String", "object:String", "description:String", "paths:Array"], Shape(a)));
        var loss = Assert.Single(dry.GetProperty("damaged_snapshots").EnumerateArray());
        Assert.Equal(["snapshot:String", "paths:Array"], Shape(loss));
        Assert.Equal(second, loss.GetProperty("snapshot").GetString());

        var repair = CliRepository.LastJsonLine((await repo.RunOkAsync("repair", "--json")).Stdout);
        Assert.Equal(JsonValueKind.False, repair.GetProperty("dry_run").ValueKind);

        var known = CliRepository.LastJsonLine((await repo.RunOkAsync("check", "--read-data-subset=50%", "--json")).Stdout);
        Assert.Equal(JsonValueKind.True, known.GetProperty("is_clean").ValueKind);
        Assert.Equal("50%", known.GetProperty("read_data_subset").GetString());
        Assert.Equal(["object:String", "description:String", "affected:Array"], Shape(known.GetProperty("known_damage")[0]));
        var marked = Assert.Single(known.GetProperty("damaged_snapshots").EnumerateArray());
        Assert.Equal(["snapshot:String", "repaired_at:String", "paths:Array"], Shape(marked));
        Assert.Equal(second, marked.GetProperty("snapshot").GetString());
        Assert.Matches(IsoTime(), marked.GetProperty("repaired_at").GetString()!);

        // Where the next rotating check continues: kept in the cache folder as a small JSON file.
        var statePath = Assert.Single(Directory.GetFiles(repo.Dir.Sub("cache", "hort"), "check-state.json", SearchOption.AllDirectories));
        using (var state = JsonDocument.Parse(File.ReadAllBytes(statePath)))
        {
            Assert.Equal(["read_data_cursor:String", "updated:String"], Shape(state.RootElement));
            Assert.Matches(FullId(), state.RootElement.GetProperty("read_data_cursor").GetString()!);
            Assert.Matches(IsoTime(), state.RootElement.GetProperty("updated").GetString()!);
        }

        using var snapshots = JsonDocument.Parse((await repo.RunOkAsync("snapshots", "--json")).Stdout);
        var damaged = snapshots.RootElement.EnumerateArray().Single(s => s.GetProperty("id").GetString() == second);
        Assert.Equal(JsonValueKind.True, damaged.GetProperty("damaged").ValueKind);
        Assert.Equal(Strings(marked.GetProperty("paths")), Strings(damaged.GetProperty("damaged_paths")));
    }

    [Fact]
    public async Task Key_list_forget_prune_and_lock_print_their_documented_fields()
    {
        using var repo = await CliRepository.CreateAsync("json-maintenance");
        var src = repo.Dir.Sub("src");
        var random = new Random(43);
        RandomFiles.Write(Path.Combine(src, "a.bin"), 200_000, random);
        var first = await repo.BackupAsync(src);
        RandomFiles.Write(Path.Combine(src, "a.bin"), 200_000, random);
        var second = await repo.BackupAsync(src);
        RandomFiles.Write(Path.Combine(src, "a.bin"), 200_000, random);
        var third = await repo.BackupAsync(src);

        using (var keys = JsonDocument.Parse((await repo.RunOkAsync("key", "list", "--json")).Stdout))
        {
            var key = Assert.Single(keys.RootElement.EnumerateArray());
            Assert.Equal(["id:String", "current:True", "created:String", "hostname:String", "username:String"], Shape(key));
            Assert.Matches(FullId(), key.GetProperty("id").GetString()!);
            Assert.Matches(IsoTime(), key.GetProperty("created").GetString()!);
        }

        using (var plan = JsonDocument.Parse((await repo.RunOkAsync("forget", "--keep-last", "2", "--dry-run", "--json")).Stdout))
        {
            var group = Assert.Single(plan.RootElement.EnumerateArray());
            Assert.Equal(["group:Object", "keep:Array", "remove:Array", "dry_run:True"], Shape(group));
            Assert.Equal(["host:String", "paths:Array", "tags:Null"], Shape(group.GetProperty("group")));
            var kept = group.GetProperty("keep")[0];
            Assert.Equal(["id:String", "time:String", "hostname:String", "paths:Array", "tags:Array", "reasons:Array"], Shape(kept));
            Assert.Equal(third, kept.GetProperty("id").GetString());
            Assert.Matches(IsoTime(), kept.GetProperty("time").GetString()!);
            Assert.Equal(["last"], Strings(kept.GetProperty("reasons")));
            var removed = Assert.Single(group.GetProperty("remove").EnumerateArray());
            Assert.Equal((first, 0), (removed.GetProperty("id").GetString(), removed.GetProperty("reasons").GetArrayLength()));
        }

        var forget = await repo.RunOkAsync("forget", "--json", "--prune", "--max-unused", "0%", first);
        Assert.Equal(2, forget.StdoutLines.Length);
        using (var byId = JsonDocument.Parse(forget.StdoutLines[0]))
        {
            var group = Assert.Single(byId.RootElement.EnumerateArray());
            Assert.Equal(["group:Null", "keep:Array", "remove:Array", "dry_run:False"], Shape(group));
            Assert.Equal(first, Assert.Single(group.GetProperty("remove").EnumerateArray()).GetProperty("id").GetString());
        }

        var prune = Parse(forget.StdoutLines[1]);
        Assert.Equal(
            [
                "message_type:String", "outcome:String", "snapshots:Number", "packs_total:Number", "bytes_total:Number", "packs_unindexed:Number",
                "packs_unused:Number", "bytes_unused:Number", "packs_repacked:Number", "bytes_repacked:Number", "bytes_copied:Number",
                "packs_written:Number", "index_files_replaced:Number", "packs_deleted:Number", "bytes_freed:Number", "index_files_deleted:Number",
                "packs_rescued:Number", "waiting_for:Array", "notes:Array",
            ],
            Shape(prune));
        Assert.Equal(("prune", "completed", 2), (prune.GetProperty("message_type").GetString(), prune.GetProperty("outcome").GetString(), prune.GetProperty("snapshots").GetInt32()));
        Assert.True(prune.GetProperty("bytes_freed").GetInt64() >= 200_000);
        var again = CliRepository.LastJsonLine((await repo.RunOkAsync("prune", "--dry-run", "--json")).Stdout);
        Assert.Equal("dry_run", again.GetProperty("outcome").GetString());

        var off = CliRepository.LastJsonLine((await repo.RunOkAsync("lock", "show", "--json")).Stdout);
        Assert.Equal(["message_type:String", "effective_days:Number", "requested_days:Number", "lowers_at:Null", "records:Array"], Shape(off));
        Assert.Equal("history_lock", off.GetProperty("message_type").GetString());
        await repo.RunOkAsync("lock", "set", "--days", "7");
        var lowered = CliRepository.LastJsonLine((await repo.RunOkAsync("lock", "set", "--days", "1", "--json")).Stdout);
        Assert.Equal((7, 1), (lowered.GetProperty("effective_days").GetInt32(), lowered.GetProperty("requested_days").GetInt32()));
        var lowersAt = DateTimeOffset.Parse(lowered.GetProperty("lowers_at").GetString()!, CultureInfo.InvariantCulture);
        var records = lowered.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal([7, 1], records.Select(r => r.GetProperty("days").GetInt32()));
        Assert.All(records, r => Assert.Equal(["days:Number", "requested:String", "hostname:String", "username:String"], Shape(r)));
        Assert.Equal(DateTimeOffset.Parse(records[1].GetProperty("requested").GetString()!, CultureInfo.InvariantCulture).AddDays(7), lowersAt);
        Assert.Equal([second, third], await repo.SnapshotIdsAsync());
    }

    /// <summary>"name:Kind" for each property of an object, in order: the names and value kinds a script reads.</summary>
    private static string[] Shape(JsonElement element) => element.EnumerateObject().Select(p => $"{p.Name}:{p.Value.ValueKind}").ToArray();

    private static List<string?> Strings(JsonElement array) => array.EnumerateArray().Select(s => s.GetString()).ToList();

    private static JsonElement Parse(string line)
    {
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex FullId();

    /// <summary>A round-trip ISO 8601 time with its offset, e.g. 2025-03-01T14:05:09.1234567+00:00.</summary>
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,7})?[+-]\d\d:\d\d$")]
    private static partial Regex IsoTime();
}
