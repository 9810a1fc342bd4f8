using System.Text;
using Hort.Engine.Backup;
using Hort.Engine.Tests.Support;
using Hort.Repository.Trees;

namespace Hort.Engine.Tests.Backup;

/// <summary>Backup then restore of <see cref="EveryKindOfEntry"/>: what comes back must be what was there, by lstat.</summary>
public sealed class MetadataRoundTripTests(EveryKindOfEntry tree) : IClassFixture<EveryKindOfEntry>
{
    [Fact]
    public void Backup_and_restore_report_no_problems()
    {
        Assert.Empty(tree.Backup.Issues);
        Assert.Empty(tree.Restore.Issues);
        Assert.Equal(0, tree.Backup.Snapshot.Summary!.Errors);
    }

    [Fact]
    public void Restored_tree_equals_the_original_in_every_entry_content_and_metadata()
    {
        // Sanity of the fixture itself: the walker saw every kind of entry.
        Assert.Equal("bcdflps", string.Concat(tree.Original.Entries.Values.Select(e => e.Type).Distinct().Order()));

        TreeState.AssertSameContentAndMetadata(tree.Original, tree.Restored);
    }

    [Fact]
    public void Permission_bits_owners_and_nanosecond_times_come_back_exactly()
    {
        // The full comparison covers these; spelled out so a failure names the property.
        var r = tree.Restored.Entries;
        Assert.Equal("4755", r["modes/setuid"].Mode);
        Assert.Equal("2755", r["modes/setgid"].Mode);
        Assert.Equal("2755", r["modes/setgid-dir"].Mode);
        Assert.Equal("1777", r["modes/sticky"].Mode);
        Assert.Equal("0000", r["modes/none"].Mode);
        Assert.Equal("0000", r["modes/locked"].Mode);
        Assert.Equal("0444", r["modes/readonly"].Mode);
        Assert.Equal(("4755", 1234u, 5678u), (r["owners/setuid-owned"].Mode, r["owners/setuid-owned"].Uid, r["owners/setuid-owned"].Gid));
        Assert.Equal((1234u, 5678u), (r["owners/numeric"].Uid, r["owners/numeric"].Gid));
        Assert.Equal((1234u, 5678u), (r["owners/dir"].Uid, r["owners/dir"].Gid));
        Assert.Equal((1234u, 5678u), (r["owners/link"].Uid, r["owners/link"].Gid));
        Assert.Equal((65534u, 65534u), (r["owners/nobody"].Uid, r["owners/nobody"].Gid));
        Assert.Equal((1234567890L, 123456789L), (r["times/file"].ModifySeconds, r["times/file"].ModifyNanoseconds));
        Assert.Equal((1234567891L, 1L), (r["times/link"].ModifySeconds, r["times/link"].ModifyNanoseconds));
        Assert.Equal((1234567892L, 987654321L), (r["times/dir"].ModifySeconds, r["times/dir"].ModifyNanoseconds));
        Assert.Equal((1L, 999999999L), (r["times/dir/inner"].ModifySeconds, r["times/dir/inner"].ModifyNanoseconds));
        Assert.Equal((4102444800L, 500L), (r["times"].ModifySeconds, r["times"].ModifyNanoseconds));
        Assert.Equal((-1_000_000_000L, 999_999_999L), (r["times/ancient"].ModifySeconds, r["times/ancient"].ModifyNanoseconds));
        Assert.Equal((10_000_000_000L, 1L), (r["times/future"].ModifySeconds, r["times/future"].ModifyNanoseconds));
        Assert.Equal((1234567894L, 7L), (r["owners/link"].ModifySeconds, r["owners/link"].ModifyNanoseconds));

        // Access times too (the fixture sets them 1000 s before the mtime; backup and walker read with O_NOATIME).
        var file = tree.Restored.Stats["times/file"];
        Assert.Equal((1234567890L - 1000, 0L), (file.AccessSeconds, file.AccessNanoseconds));
    }

    [Fact]
    public void Extended_attributes_come_back_with_binary_values_on_files_directories_and_read_only_files()
    {
        var r = tree.Restored.Entries;
        var hort = "user.hort=" + Convert.ToHexStringLower(EveryKindOfEntry.BinaryXattr);
        Assert.Equal($"user.empty=;{hort};user.second={Convert.ToHexStringLower("text value"u8)}", r["xattrs/file"].ExtendedAttributes);
        Assert.Equal($"user.dir=64;{hort}", r["xattrs/dir"].ExtendedAttributes);
        Assert.Equal(hort, r["xattrs/readonly"].ExtendedAttributes);
        Assert.Equal("security.capability=" + Convert.ToHexStringLower(EveryKindOfEntry.Capability), r["xattrs/capable"].ExtendedAttributes);
        Assert.Equal((1234u, 5678u, "0755"), (r["xattrs/capable"].Uid, r["xattrs/capable"].Gid, r["xattrs/capable"].Mode));
    }

    [Fact]
    public void Special_files_come_back_as_the_same_kind_with_the_same_device_numbers()
    {
        var r = tree.Restored.Entries;
        Assert.Equal(('p', "0644"), (r["special/fifo"].Type, r["special/fifo"].Mode));
        Assert.Equal(('c', "0666", $"{Libc.MakeDevice(1, 3):x}"), (r["special/null"].Type, r["special/null"].Mode, r["special/null"].DeviceNumber));
        Assert.Equal(('b', "0660", $"{Libc.MakeDevice(7, 0):x}"), (r["special/loop0"].Type, r["special/loop0"].Mode, r["special/loop0"].DeviceNumber));
        Assert.Equal('s', r["special/socket"].Type);
    }

    [Fact]
    public void Symlinks_keep_their_exact_target_bytes_even_dangling_absolute_or_not_utf8()
    {
        var r = tree.Restored.Entries;
        Assert.Equal("../one", r["links/relative"].LinkTarget);
        Assert.Equal("/etc/passwd", r["links/absolute"].LinkTarget);
        Assert.Equal("does/not/exist", r["links/dangling"].LinkTarget);
        Assert.Equal(@"tgt\xff\xfe\x01/\x7f", r["links/binary"].LinkTarget);
    }

    [Fact]
    public void Awkward_and_non_utf8_names_come_back_byte_for_byte()
    {
        foreach (var name in EveryKindOfEntry.AwkwardNames)
        {
            var key = "names/" + TreeState.Escape(name);
            Assert.True(tree.Restored.Entries.TryGetValue(key, out var entry), $"missing {key}");
            Assert.Equal(tree.Original.Entries[key].Content, entry.Content);
        }

        Assert.Contains(@"names/d\xff/in-non-utf8-dir", tree.Restored.Entries.Keys);
    }

    [Fact]
    public void Hard_links_come_back_as_three_names_of_one_inode()
    {
        var stats = tree.Restored.Stats;
        var one = stats["hard/a/one"];
        Assert.Equal(3UL, one.LinkCount);
        Assert.Equal(one.Inode, stats["hard/b/two"].Inode);
        Assert.Equal(one.Inode, stats["hard/three"].Inode);
        Assert.Equal(tree.Original.Entries["hard/a/one"].Content, tree.Restored.Entries["hard/three"].Content);
    }

    [Fact]
    public void Sparse_file_comes_back_byte_identical_and_still_sparse()
    {
        var restored = tree.Restored.Stats["sparse.img"];
        Assert.Equal(EveryKindOfEntry.SparseSize, restored.Size);
        Assert.Equal(tree.Original.Entries["sparse.img"].Content, tree.Restored.Entries["sparse.img"].Content);

        // Three small data regions in 1 GiB: whole chunks around them may be written, nothing like the full size.
        Assert.True(restored.Blocks * 512 < 8L << 20, $"the restored sparse file occupies {restored.Blocks * 512} bytes");

        var tail = tree.Restored.Stats["sparse-tail"];
        Assert.Equal((10L << 20, true), (tail.Size, tail.Blocks * 512 <= 65536));
        var hole = tree.Restored.Stats["all-hole"];
        Assert.Equal((5L << 20, 0L), (hole.Size, hole.Blocks));
    }

    [Fact]
    public void Deep_tree_under_path_max_comes_back_whole()
    {
        Assert.True(tree.DeepFile.Length is > 3600 and < 4096, $"fixture path length {tree.DeepFile.Length}");
        var bottom = tree.Restored.Entries.Keys.Single(k => k.EndsWith("/bottom", StringComparison.Ordinal));
        Assert.Equal(EveryKindOfEntry.DeepLevels + 1, bottom.Count(c => c == '/'));
        Assert.Equal(tree.Original.Entries[bottom] with { Identity = null }, tree.Restored.Entries[bottom] with { Identity = null });
    }

    [Fact]
    public async Task Snapshot_records_user_and_group_names_and_numeric_ids()
    {
        var nobody = await tree.Repository.FindNodeAsync(tree.Backup.Snapshot, tree.Source + "/owners/nobody");
        Assert.Equal((65534u, 65534u, "nobody", "nogroup"), (nobody.Uid, nobody.Gid, nobody.User, nobody.Group));

        // No account has these ids on the test machine: the ids are kept, the names stay empty.
        var numeric = await tree.Repository.FindNodeAsync(tree.Backup.Snapshot, tree.Source + "/owners/numeric");
        Assert.Equal((1234u, 5678u, "", ""), (numeric.Uid, numeric.Gid, numeric.User, numeric.Group));

        var one = await tree.Repository.FindNodeAsync(tree.Backup.Snapshot, tree.Source + "/one");
        Assert.Equal(("root", "root"), (one.User, one.Group));
    }

    [Fact]
    public async Task Repeated_content_is_stored_once_and_multi_chunk_files_have_many_chunks()
    {
        var repeated = await tree.Repository.FindNodeAsync(tree.Backup.Snapshot, tree.Source + "/repeated.bin");
        Assert.True(repeated.Content.Distinct().Count() < repeated.Content.Count, "three copies of 1 MiB share no chunk");

        var random = await tree.Repository.FindNodeAsync(tree.Backup.Snapshot, tree.Source + "/random.bin");
        Assert.Equal(3UL << 20, random.Size);
        Assert.True(random.Content.Count >= 3 * 1024 / 64, $"3 MiB in {random.Content.Count} chunks of at most 64 KiB");

        var empty = await tree.Repository.FindNodeAsync(tree.Backup.Snapshot, tree.Source + "/empty");
        Assert.Equal((0UL, 0), (empty.Size, empty.Content.Count));
    }

    [Fact]
    public async Task Second_backup_with_the_first_as_parent_reads_no_file_again_and_restores_identically()
    {
        var first = tree.Backup;
        var second = await new Archiver(tree.Repository, new BackupOptions { Paths = [tree.Source], Parent = first.Stored() })
            .RunAsync(TestContext.Current.CancellationToken);

        var regularFiles = tree.Original.Entries.Values.Count(e => e.Type == 'f');
        var summary = second.Snapshot.Summary!;
        Assert.Empty(second.Issues);
        Assert.Equal((regularFiles, 0L, 0L), (summary.FilesUnchanged, summary.FilesNew, summary.FilesChanged));
        Assert.Equal(first.SnapshotId, second.Snapshot.Parent);

        // Below the source nothing changed, so the same chunk lists and metadata give the very same trees.
        // (The directories above it, /tmp first, change all the time.)
        var firstSource = await tree.Repository.FindNodeAsync(first.Snapshot, tree.Source);
        var secondSource = await tree.Repository.FindNodeAsync(second.Snapshot, tree.Source);
        Assert.Equal(firstSource.Subtree, secondSource.Subtree);

        var target = tree.Scratch.SubText("target-second");
        var restore = await tree.Repository.RestoreAsync(second.Stored(), target);
        Assert.Empty(restore.Issues);
        TreeState.AssertSameContentAndMetadata(tree.Original, TreeState.Capture(target + tree.Source));
    }

    [Fact]
    public async Task Restoring_again_over_the_restored_tree_gives_the_same_tree()
    {
        var again = await tree.Repository.RestoreAsync(tree.Backup.Stored(), tree.Target);

        Assert.Empty(again.Issues);
        TreeState.AssertSameContentAndMetadata(tree.Original, TreeState.Capture(tree.RestoredSource));
    }

    [Fact]
    public void Backup_summary_counts_what_it_saw()
    {
        var original = tree.Original.Entries.Values;
        var summary = tree.Backup.Snapshot.Summary!;
        var regular = original.Where(e => e.Type == 'f').ToList();

        Assert.Equal(regular.Count, summary.Files);
        Assert.Equal(original.Count(e => e.Type == 'd'), summary.Directories);
        Assert.Equal(original.Count(e => e.Type is 'l' or 'p' or 'c' or 'b' or 's'), summary.OtherEntries);
        Assert.Equal((regular.Count, 0L, 0L), (summary.FilesNew, summary.FilesChanged, summary.FilesUnchanged));
        Assert.Equal(regular.Sum(e => e.Size), summary.TotalBytes);
    }

    [Fact]
    public void Restore_counts_what_it_wrote()
    {
        var original = tree.Original.Entries.Values;
        Assert.Equal(original.Count(e => e.Type == 'f'), tree.Restore.Files);

        // Plus the directories on the way to the source: "/tmp", the scratch directory.
        Assert.Equal(original.Count(e => e.Type == 'd') + 2, tree.Restore.Directories);
        Assert.Equal(original.Count(e => e.Type is 'l' or 'p' or 'c' or 'b' or 's'), tree.Restore.OtherEntries);
    }
}
