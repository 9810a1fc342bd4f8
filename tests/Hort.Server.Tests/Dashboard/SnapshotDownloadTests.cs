using System.Formats.Tar;
using System.IO.Compression;
using Hort.Core;
using Hort.Server.Dashboard.Browsing;
using Microsoft.AspNetCore.Http;

namespace Hort.Server.Tests.Dashboard;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SnapshotDownloadTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_file_downloads_byte_for_byte_chunk_by_chunk()
    {
        await using var scene = await BrowseScene.StartAsync();
        var (browser, downloads) = (scene.Service<SnapshotBrowser>(), scene.Service<SnapshotDownloads>());

        var big = await browser.FindAsync(scene.Pc1.PcId, scene.Older, scene.PathOf("docs/big.bin"), Ct);
        Assert.True(big.Node!.Content.Count > 1);
        var output = new AsyncOnlyStream();
        await downloads.WriteFileAsync(big, output, Ct);
        Assert.Equal(scene.Big, output.Written);

        var empty = new AsyncOnlyStream();
        await downloads.WriteFileAsync(await browser.FindAsync(scene.Pc1.PcId, scene.Older, scene.PathOf("docs/empty.txt"), Ct), empty, Ct);
        Assert.Empty(empty.Written);
        var docs = await browser.FindAsync(scene.Pc1.PcId, scene.Older, scene.PathOf("docs"), Ct);
        await Assert.ThrowsAsync<BadHttpRequestException>(() => downloads.WriteFileAsync(docs, new AsyncOnlyStream(), Ct));
    }

    [Fact]
    public async Task A_folder_downloads_as_a_zip_whose_entries_match_the_originals()
    {
        await using var scene = await BrowseScene.StartAsync();
        var (browser, downloads) = (scene.Service<SnapshotBrowser>(), scene.Service<SnapshotDownloads>());

        var output = new AsyncOnlyStream();
        await downloads.WriteZipAsync(await browser.FindAsync(scene.Pc1.PcId, scene.Newer, scene.PathOf("docs"), Ct), output, Ct);

        using var zip = new ZipArchive(new MemoryStream(output.Written), ZipArchiveMode.Read);
        Assert.Equal(
            ["docs/", "docs/big.bin", "docs/empty.txt", "docs/letter.txt", "docs/link", "docs/new.txt", "docs/Report-2025.PDF", "docs/sub/", "docs/sub/deep/", "docs/sub/deep/notes.md"],
            zip.Entries.Select(e => e.FullName).Order(StringComparer.OrdinalIgnoreCase));
        foreach (var file in new[] { "big.bin", "empty.txt", "letter.txt", "new.txt", "Report-2025.PDF", "sub/deep/notes.md" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(scene.Source, "docs", file)), await ReadAsync(zip.GetEntry("docs/" + file)!));
        }

        // Content the repository stored uncompressed (random bytes) is stored, not deflated again.
        Assert.Equal(scene.Big.Length, zip.GetEntry("docs/big.bin")!.CompressedLength);
        var letter = zip.GetEntry("docs/letter.txt")!;
        Assert.Equal(0x8000 | 0b110_100_000, letter.ExternalAttributes >>> 16);
        Assert.Equal(BrowseScene.LetterTime.AddDays(5), letter.LastWriteTime.ToUniversalTime());
        var link = zip.GetEntry("docs/link")!;
        Assert.Equal(0xA000, (link.ExternalAttributes >>> 16) & 0xF000);
        Assert.Equal("letter.txt"u8.ToArray(), await ReadAsync(link));
        Assert.Equal(0x4000, (zip.GetEntry("docs/sub/")!.ExternalAttributes >>> 16) & 0xF000);

        // The snapshot's root downloads under the host's name and the snapshot's time.
        var whole = new AsyncOnlyStream();
        await downloads.WriteZipAsync(await browser.FindAsync(scene.Pc1.PcId, scene.Newer, "/", Ct), whole, Ct);
        using var wholeZip = new ZipArchive(new MemoryStream(whole.Written), ZipArchiveMode.Read);
        Assert.Equal(File.ReadAllBytes(Path.Combine(scene.Source, "script.sh")),
            await ReadAsync(wholeZip.GetEntry("desk-1-20260303-080000" + scene.PathOf("script.sh"))!));
    }

    [Fact]
    public async Task A_folder_downloads_as_a_tar_gz_keeping_modes_times_and_symlinks()
    {
        await using var scene = await BrowseScene.StartAsync();
        var (browser, downloads) = (scene.Service<SnapshotBrowser>(), scene.Service<SnapshotDownloads>());

        var output = new AsyncOnlyStream();
        await downloads.WriteTarGzAsync(await browser.FindAsync(scene.Pc1.PcId, scene.Newer, scene.PathOf("docs"), Ct), output, Ct);

        var entries = new Dictionary<string, (TarEntry Entry, byte[] Data)>();
        await using (var tar = new TarReader(new GZipStream(new MemoryStream(output.Written), CompressionMode.Decompress)))
        {
            while (await tar.GetNextEntryAsync(copyData: true, Ct) is { } entry)
            {
                var data = new MemoryStream();
                if (entry.DataStream is { } s) await s.CopyToAsync(data, Ct);
                entries.Add(entry.Name, (entry, data.ToArray()));
            }
        }

        Assert.Equal(
            ["docs/", "docs/big.bin", "docs/empty.txt", "docs/letter.txt", "docs/link", "docs/new.txt", "docs/Report-2025.PDF", "docs/sub/", "docs/sub/deep/", "docs/sub/deep/notes.md"],
            entries.Keys.Order(StringComparer.OrdinalIgnoreCase));
        foreach (var file in new[] { "big.bin", "empty.txt", "letter.txt", "new.txt", "Report-2025.PDF", "sub/deep/notes.md" })
        {
            var path = Path.Combine(scene.Source, "docs", file);
            var (entry, data) = entries["docs/" + file];
            Assert.Equal(TarEntryType.RegularFile, entry.EntryType);
            Assert.Equal(File.ReadAllBytes(path), data);
            Assert.Equal(File.GetUnixFileMode(path), entry.Mode);
            Assert.Equal(File.GetLastWriteTimeUtc(path), entry.ModificationTime.UtcDateTime);
        }

        var link = entries["docs/link"].Entry;
        Assert.Equal((TarEntryType.SymbolicLink, "letter.txt"), (link.EntryType, link.LinkName));
        Assert.Equal(TarEntryType.Directory, entries["docs/sub/deep/"].Entry.EntryType);
    }

    [Fact]
    public async Task Damaged_content_fails_the_download_instead_of_ending_it_early()
    {
        await using var scene = await BrowseScene.StartAsync();
        var (browser, downloads) = (scene.Service<SnapshotBrowser>(), scene.Service<SnapshotDownloads>());
        var big = await browser.FindAsync(scene.Pc1.PcId, scene.Older, scene.PathOf("docs/big.bin"), Ct);
        scene.Damage(big.Node!.Content[^1]);
        var docs = await browser.FindAsync(scene.Pc1.PcId, scene.Older, scene.PathOf("docs"), Ct);

        await Assert.ThrowsAsync<RepositoryCorruptException>(() => downloads.WriteFileAsync(big, new AsyncOnlyStream(), Ct));
        await Assert.ThrowsAsync<RepositoryCorruptException>(() => downloads.WriteZipAsync(docs, new AsyncOnlyStream(), Ct));
        await Assert.ThrowsAsync<RepositoryCorruptException>(() => downloads.WriteTarGzAsync(docs, new AsyncOnlyStream(), Ct));
    }

    [Theory]
    [InlineData("letter.txt", "letter.txt")]
    [InlineData("Brief an Jürgen (final).docx", "Brief_an_J_rgen__final_.docx")]
    [InlineData("..", "download")]
    [InlineData("a\"b\r\nc;d", "a_b__c_d")]
    public void Download_names_are_safe_anywhere(string name, string safe) =>
        Assert.Equal(safe, SnapshotDownloads.SafeFileName(name));

    private static async Task<byte[]> ReadAsync(ZipArchiveEntry entry)
    {
        await using var stream = await entry.OpenAsync(Ct);
        var data = new MemoryStream();
        await stream.CopyToAsync(data, Ct);
        return data.ToArray();
    }
}
