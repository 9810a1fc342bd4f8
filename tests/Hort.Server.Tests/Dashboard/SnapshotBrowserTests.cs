using Hort.Core;
using Hort.Repository.Trees;
using Hort.Server.Dashboard.Browsing;
using Microsoft.AspNetCore.Http;

namespace Hort.Server.Tests.Dashboard;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SnapshotBrowserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_folder_lists_its_entries_with_type_size_time_and_mode_folders_first()
    {
        await using var scene = await BrowseScene.StartAsync();
        var browser = scene.Service<SnapshotBrowser>();

        var docs = await browser.FindAsync(scene.Pc1.PcId, scene.Older, scene.PathOf("docs"), Ct);
        Assert.True(docs.IsFolder);
        var entries = await browser.ListAsync(docs, Ct);
        Assert.Equal(["sub", "big.bin", "empty.txt", "letter.txt", "link", "Report-2025.PDF"], entries.Select(e => e.Name));
        var letter = entries.Single(e => e.Name == "letter.txt");
        Assert.Equal((NodeType.File, 27L, BrowseScene.LetterTime, 0b110_100_000u, scene.PathOf("docs/letter.txt")),
            (letter.Type, letter.Size, letter.Modified, letter.Mode, letter.Path));
        Assert.Equal((NodeType.Symlink, "letter.txt"), (entries.Single(e => e.Name == "link").Type, entries.Single(e => e.Name == "link").LinkTarget));
        Assert.Equal(scene.Big.Length, entries.Single(e => e.Name == "big.bin").Size);

        // The root, and the path in forms that mean the same; a file is found as a file.
        var root = await browser.FindAsync(scene.Pc1.PcId, scene.Older, "/", Ct);
        Assert.True(root.IsFolder);
        Assert.Null(root.Node);
        Assert.NotEmpty(await browser.ListAsync(root, Ct));
        Assert.Equal(docs.Path, (await browser.FindAsync(scene.Pc1.PcId, scene.Older, "/" + scene.PathOf("docs//") + "/", Ct)).Path);
        Assert.True((await browser.FindAsync(scene.Pc1.PcId, scene.Older, scene.PathOf("docs/letter.txt"), Ct)).IsFile);
        var letterItem = await browser.FindAsync(scene.Pc1.PcId, scene.Older, scene.PathOf("docs/letter.txt"), Ct);
        await Assert.ThrowsAsync<BadHttpRequestException>(() => browser.ListAsync(letterItem, Ct));

        // The newer snapshot holds the file added later; the older does not.
        Assert.Contains(await browser.ListAsync(await browser.FindAsync(scene.Pc1.PcId, scene.Newer, scene.PathOf("docs"), Ct), Ct), e => e.Name == "new.txt");
        await Assert.ThrowsAsync<NotFoundException>(() => browser.FindAsync(scene.Pc1.PcId, scene.Older, scene.PathOf("docs/new.txt"), Ct));
    }

    [Fact]
    public async Task Another_pcs_snapshot_and_malformed_paths_are_refused()
    {
        await using var scene = await BrowseScene.StartAsync();
        var browser = scene.Service<SnapshotBrowser>();
        var (pc1, pc2) = (scene.Pc1.PcId, scene.Pc2.PcId);

        // Another PC's snapshot is answered as if it did not exist, whichever way round.
        await Assert.ThrowsAsync<NotFoundException>(() => browser.FindAsync(pc1, scene.Other, "/", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => browser.FindAsync(pc2, scene.Older, "/", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => browser.FindAsync(pc1, new string('0', 64), "/", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => browser.FindAsync("not-a-pc", scene.Older, "/", Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => browser.SearchAsync(pc2, scene.Older, "letter", 10, Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => browser.SnapshotsAsync(new string('a', 32), Ct));
        Assert.Equal([scene.Other], (await browser.SnapshotsAsync(pc2, Ct)).Select(s => s.Id));
        Assert.DoesNotContain(await browser.VersionsAsync(pc2, scene.PathOf("docs/letter.txt"), Ct), v => v.SnapshotId != scene.Other);

        foreach (var bad in new[] { "docs", scene.PathOf("docs/../docs"), scene.PathOf("./docs"), "/..", scene.PathOf("docs\0x"), "/" + new string('a', 5000) })
        {
            await Assert.ThrowsAsync<BadHttpRequestException>(() => browser.FindAsync(pc1, scene.Older, bad, Ct));
            await Assert.ThrowsAsync<BadHttpRequestException>(() => browser.VersionsAsync(pc1, bad, Ct));
        }

        await Assert.ThrowsAsync<NotFoundException>(() => browser.FindAsync(pc1, scene.Older, scene.PathOf("docs/letter.txt/below"), Ct));
    }

    [Fact]
    public async Task A_files_versions_list_every_snapshot_holding_it_and_whether_its_content_changed()
    {
        await using var scene = await BrowseScene.StartAsync();
        var browser = scene.Service<SnapshotBrowser>();
        var pc = scene.Pc1.PcId;

        var letter = await browser.VersionsAsync(pc, scene.PathOf("docs/letter.txt"), Ct);
        Assert.Equal([scene.Newer, scene.Older], letter.Select(v => v.SnapshotId));
        Assert.Equal([true, true], letter.Select(v => v.ContentChanged));
        Assert.Equal([36L, 27L], letter.Select(v => v.Size));
        Assert.Equal([BrowseScene.LetterTime.AddDays(5), BrowseScene.LetterTime], letter.Select(v => v.Modified));
        Assert.True(letter[0].SnapshotTime > letter[1].SnapshotTime);

        // Only the modification time changed: the same content.
        var report = await browser.VersionsAsync(pc, scene.PathOf("docs/Report-2025.PDF"), Ct);
        Assert.Equal([false, true], report.Select(v => v.ContentChanged));
        Assert.NotEqual(report[0].Modified, report[1].Modified);

        Assert.Equal([scene.Newer], (await browser.VersionsAsync(pc, scene.PathOf("docs/new.txt"), Ct)).Select(v => v.SnapshotId));
        Assert.Empty(await browser.VersionsAsync(pc, scene.PathOf("docs/nothing.txt"), Ct));
        Assert.Empty(await browser.VersionsAsync(pc, scene.PathOf("docs"), Ct)); // a folder has no file versions
    }

    [Fact]
    public async Task Search_finds_names_by_substring_or_glob_ignoring_case_in_one_or_all_snapshots_and_says_when_there_are_more()
    {
        await using var scene = await BrowseScene.StartAsync();
        var browser = scene.Service<SnapshotBrowser>();
        var pc = scene.Pc1.PcId;

        var report = await browser.SearchAsync(pc, scene.Older, "report", 10, Ct);
        Assert.Equal([scene.PathOf("docs/Report-2025.PDF")], report.Hits.Select(h => h.Entry.Path));
        Assert.False(report.More);

        var texts = await browser.SearchAsync(pc, scene.Older, "*.TXT", 10, Ct);
        Assert.Equal(["empty.txt", "letter.txt"], texts.Hits.Select(h => h.Entry.Name));
        Assert.All(texts.Hits, h => Assert.Equal(scene.Older, h.SnapshotId));
        Assert.Equal(["notes.md"], (await browser.SearchAsync(pc, scene.Older, "n?tes.[a-m][!x]", 10, Ct)).Hits.Select(h => h.Entry.Name));
        Assert.Empty((await browser.SearchAsync(pc, scene.Older, "[notes", 10, Ct)).Hits);
        Assert.Empty((await browser.SearchAsync(pc, scene.Older, "new.txt", 10, Ct)).Hits);

        // All snapshots: each path once, from the newest snapshot holding it.
        var all = await browser.SearchAsync(pc, null, "*.txt", 10, Ct);
        Assert.Equal(["empty.txt", "letter.txt", "new.txt"], all.Hits.Select(h => h.Entry.Name).Order(StringComparer.Ordinal));
        Assert.All(all.Hits, h => Assert.Equal(scene.Newer, h.SnapshotId));
        Assert.Equal(36L, all.Hits.Single(h => h.Entry.Name == "letter.txt").Entry.Size);

        // A bounded result says there is more.
        var first = await browser.SearchAsync(pc, null, "*", 3, Ct);
        Assert.Equal(3, first.Hits.Count);
        Assert.True(first.More);
        var everything = await browser.SearchAsync(pc, scene.Older, "*", SnapshotBrowser.MaxSearchHits, Ct);
        Assert.False(everything.More);

        foreach (var bad in new[] { "", "   ", new string('a', 300), "a\0b" })
        {
            await Assert.ThrowsAsync<BadHttpRequestException>(() => browser.SearchAsync(pc, scene.Older, bad, 10, Ct));
        }
    }

    [Theory]
    [InlineData("letter", "Letter.txt", true)]
    [InlineData("LETTER", "my-letter.txt", true)]
    [InlineData("letter", "lettre.txt", false)]
    [InlineData("*.txt", "A.TXT", true)]
    [InlineData("*.txt", "a.txt.bak", false)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("[ab]*", "Bert", true)]
    [InlineData("[!ab]*", "bert", false)]
    [InlineData("[]x]", "]", true)]
    [InlineData("a[", "a[", true)]
    [InlineData("(a).+", "(a).+", true)]
    [InlineData("(a).+*", "(a).+x", true)]
    [InlineData("*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
    public void Names_match_by_substring_or_by_glob(string query, string name, bool matches) =>
        Assert.Equal(matches, NamePattern.Parse(query).IsMatch(name));
}
