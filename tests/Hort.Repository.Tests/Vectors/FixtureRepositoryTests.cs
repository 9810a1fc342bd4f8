using System.Text;
using Hort.Core;
using Hort.Repository.Checking;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Repository.Tests.Vectors;

/// <summary>
/// The repository tests/testdata/repo-v1, written by the hort 0.1 command line (tests/testdata/make-repo-v1.sh),
/// opened once for all the tests of <see cref="FixtureRepositoryTests"/>.
/// </summary>
public sealed class FixtureRepository : IAsyncLifetime
{
    public HortRepository Repository { get; private set; } = null!;

    public IReadOnlyList<StoredSnapshot> Snapshots { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        var store = new ReadOnlyBlobStore(new LocalDirectoryBlobStore(VectorInputs.TestData("repo-v1")));
        Repository = await HortRepository.OpenAsync(store, VectorInputs.Password);
        await Repository.LoadIndexAsync();
        Snapshots = await Repository.ListSnapshotsAsync();
    }

    public ValueTask DisposeAsync()
    {
        Repository?.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Format compatibility, forever: every future hort must read the repository that hort 0.1 wrote, with the exact
/// content and metadata of its source tree. Never regenerate the fixture to make these tests pass.
/// </summary>
public sealed class FixtureRepositoryTests(FixtureRepository fixture) : IClassFixture<FixtureRepository>
{
    private const string FirstSnapshot = "02d14e3979eb3f8e31e01b151c2c838f38dc6de54bb9c125690a54437b2efe6a";
    private const string SecondSnapshot = "08c1e720fffa813b9c97e44b4438f75f7bd06251d8c968cd70b54c0d9c5ba346";

    /// <summary>2024-01-02 03:04:05.123456789 UTC, the time every source entry was given.</summary>
    private static readonly Timestamp SourceTime = new(1704164645, 123456789);

    private static readonly byte[] LatinName = [(byte)'c', (byte)'a', (byte)'f', 0xe9, (byte)'.', (byte)'t', (byte)'x', (byte)'t'];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HortRepository Repo => fixture.Repository;

    [Fact]
    public void Two_snapshots_of_one_folder_the_second_based_on_the_first()
    {
        var (first, second) = (fixture.Snapshots[0], fixture.Snapshots[1]);

        Assert.Equal(2, fixture.Snapshots.Count);
        Assert.Equal([FirstSnapshot, SecondSnapshot], fixture.Snapshots.Select(s => s.Id.ToString()));
        Assert.Equal(["first"], first.Snapshot.Tags);
        Assert.Equal(["second"], second.Snapshot.Tags);
        Assert.All(fixture.Snapshots, s => Assert.Equal(["/tmp/hort-fixture"], s.Snapshot.Paths));
        Assert.All(fixture.Snapshots, s => Assert.Equal("fixture-host", s.Snapshot.Hostname));
        Assert.Null(first.Snapshot.Parent);
        Assert.Equal(first.Id, second.Snapshot.Parent);
        Assert.True(first.Snapshot.Time < second.Snapshot.Time);
    }

    [Fact]
    public async Task Latest_and_prefixes_find_snapshots()
    {
        Assert.Equal(SecondSnapshot, (await Repo.FindSnapshotAsync("latest", cancellationToken: Ct)).Id.ToString());
        Assert.Equal(FirstSnapshot, (await Repo.FindSnapshotAsync("02d1", cancellationToken: Ct)).Id.ToString());
    }

    [Fact]
    public async Task The_root_tree_holds_the_intermediate_directories_of_the_backed_up_path()
    {
        var root = await Repo.LoadTreeAsync(fixture.Snapshots[0].Snapshot.Tree, Ct);

        var tmp = Assert.Single(root.Nodes);
        Assert.Equal("tmp"u8.ToArray(), tmp.Name);
        Assert.Equal(NodeType.Directory, tmp.Type);
        var inTmp = await Repo.LoadTreeAsync(tmp.Subtree, Ct);
        var folder = Assert.Single(inTmp.Nodes);
        Assert.Equal("hort-fixture"u8.ToArray(), folder.Name);
        Assert.Equal(NodeType.Directory, folder.Type);
    }

    [Fact]
    public async Task Both_snapshots_list_every_entry_sorted_by_name_bytes()
    {
        string[] first = ["big.txt", "caf\\xe9.txt", "data.bin", "docs", "hardlink.txt", "hello.txt", "link", "pipe"];

        Assert.Equal(first, (await SourceFolderAsync(0)).Nodes.Select(n => n.DisplayName));
        Assert.Equal(["added.txt", .. first], (await SourceFolderAsync(1)).Nodes.Select(n => n.DisplayName));
        Assert.Equal(["empty.txt", "readme.md"], (await LoadSubtreeAsync(await SourceFolderAsync(0), "docs")).Nodes.Select(n => n.DisplayName));
    }

    [Fact]
    public async Task File_contents_come_back_byte_for_byte()
    {
        var folder = await SourceFolderAsync(1);
        var docs = await LoadSubtreeAsync(folder, "docs");
        var readme = string.Concat(Enumerable.Range(0, 40).Select(i => $"Line {i}: Hort keeps every version of every file.\n"));

        Assert.Equal("Hello, Hort!\n"u8.ToArray(), await ContentAsync(Node(folder, "hello.txt")));
        Assert.Equal("Hello, Hort!\n"u8.ToArray(), await ContentAsync(Node(folder, "hardlink.txt")));
        Assert.Equal("latin-1 name\n"u8.ToArray(), await ContentAsync(folder.Find(LatinName)!));
        Assert.Equal(VectorInputs.Stream(3008, 0)[..3000], await ContentAsync(Node(folder, "data.bin")));
        Assert.Equal("added in the second snapshot\n"u8.ToArray(), await ContentAsync(Node(folder, "added.txt")));
        Assert.Equal(Encoding.UTF8.GetBytes(readme), await ContentAsync(Node(docs, "readme.md")));
        Assert.Empty(Node(docs, "empty.txt").Content);
        Assert.Equal(0UL, Node(docs, "empty.txt").Size);
    }

    [Fact]
    public async Task A_file_larger_than_the_maximum_chunk_is_cut_at_8_MiB()
    {
        var big = Node(await SourceFolderAsync(0), "big.txt");
        var line = "All work and no play makes a backup dull.\n"u8.ToArray();
        var expected = new byte[(8 << 20) + 4096];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = line[i % line.Length];
        }

        Assert.Equal(2, big.Content.Count);
        Assert.Equal(8 << 20, (await Repo.LoadBlobAsync(BlobType.Data, big.Content[0], Ct)).Length);
        Assert.Equal(expected, await ContentAsync(big));
        Assert.Equal((ulong)expected.Length, big.Size);
    }

    [Fact]
    public async Task Both_stored_forms_occur_raw_and_zstd()
    {
        var folder = await SourceFolderAsync(0);
        var docs = await LoadSubtreeAsync(folder, "docs");

        Assert.Equal(CompressionKind.None, Compression(Node(folder, "data.bin").Content[0]));
        Assert.Equal(CompressionKind.Zstd, Compression(Node(docs, "readme.md").Content[0]));
        Assert.Equal(CompressionKind.Zstd, Compression(Node(folder, "big.txt").Content[0]));
    }

    [Fact]
    public async Task Metadata_of_files_links_and_special_entries()
    {
        var folder = await SourceFolderAsync(0);
        var hello = Node(folder, "hello.txt");
        var hardlink = Node(folder, "hardlink.txt");
        var link = Node(folder, "link");

        Assert.Equal(SourceTime, hello.ModifyTime);
        Assert.Equal(0x1a4u, hello.Mode);
        Assert.Equal(0x1a0u, Node(folder, "data.bin").Mode);
        Assert.Equal(0x1e8u, Node(folder, "docs").Mode);
        var xattr = Assert.Single(hello.ExtendedAttributes);
        Assert.Equal("user.hort"u8.ToArray(), xattr.Name);
        Assert.Equal("fixture"u8.ToArray(), xattr.Value);
        Assert.Equal((2u, 2u), (hello.LinkCount, hardlink.LinkCount));
        Assert.Equal((hello.Device, hello.Inode), (hardlink.Device, hardlink.Inode));
        Assert.Equal(NodeType.Symlink, link.Type);
        Assert.Equal("hello.txt"u8.ToArray(), link.LinkTarget);
        Assert.Equal(SourceTime, link.ModifyTime);
        Assert.Equal(NodeType.Fifo, Node(folder, "pipe").Type);
    }

    [Fact]
    public async Task Check_reading_every_byte_finds_no_damage()
    {
        var report = await new Checker(Repo).RunAsync(new CheckOptions { ReadData = true }, Ct);

        Assert.True(report.IsClean, string.Join("\n", report.Errors.Select(e => $"{e.Object}: {e.Description}")));
        Assert.Equal(2, report.SnapshotsChecked);
        Assert.Equal(2, report.PacksRead);
        Assert.Empty(report.Notes);
    }

    [Fact]
    public async Task Files_not_named_by_a_64_digit_id_are_not_part_of_the_repository()
    {
        // Stray files (a short hex name, an upper-case name, a leftover temporary file) must be ignored, as the
        // format says; they must neither hide the real objects nor stop the listing.
        using var copy = new RepositoryCopy(VectorInputs.TestData("repo-v1"));
        copy.Write("snapshots/beef");
        copy.Write("snapshots/" + FirstSnapshot.ToUpperInvariant());
        copy.Write("index/.tmp-0123456789abcdef0123456789abcdef");
        copy.Write("data/b1/b1a9");
        using var repo = await HortRepository.OpenAsync(new ReadOnlyBlobStore(new LocalDirectoryBlobStore(copy.Path)), VectorInputs.Password, cancellationToken: Ct);
        await repo.LoadIndexAsync(Ct);

        var snapshots = await repo.ListSnapshotsAsync(Ct);
        var report = await new Checker(repo).RunAsync(new CheckOptions(), Ct);

        Assert.Equal([FirstSnapshot, SecondSnapshot], snapshots.Select(s => s.Id.ToString()));
        Assert.True(report.IsClean, string.Join("\n", report.Errors.Select(e => $"{e.Object}: {e.Description}")));
    }

    private async Task<Tree> SourceFolderAsync(int snapshot)
    {
        var root = await Repo.LoadTreeAsync(fixture.Snapshots[snapshot].Snapshot.Tree, Ct);
        var tmp = await LoadSubtreeAsync(root, "tmp");
        return await LoadSubtreeAsync(tmp, "hort-fixture");
    }

    private async Task<Tree> LoadSubtreeAsync(Tree tree, string name) => await Repo.LoadTreeAsync(Node(tree, name).Subtree, Ct);

    private static TreeNode Node(Tree tree, string name) =>
        tree.Find(Encoding.UTF8.GetBytes(name)) ?? throw new InvalidOperationException($"no {name} in the tree");

    private async Task<byte[]> ContentAsync(TreeNode file)
    {
        Assert.Equal(NodeType.File, file.Type);
        var content = new List<byte>();
        foreach (var id in file.Content)
        {
            content.AddRange(await Repo.LoadBlobAsync(BlobType.Data, id, Ct));
        }

        Assert.Equal(file.Size, (ulong)content.Count);
        return content.ToArray();
    }

    private CompressionKind Compression(ObjectId blob)
    {
        Assert.True(Repo.Index.TryGet(blob, out var location));
        return location.Entry.Compression;
    }
}

/// <summary>A throw-away copy of a fixture repository, for tests that add files to it.</summary>
internal sealed class RepositoryCopy : IDisposable
{
    public RepositoryCopy(string source)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hort-fixture-" + Guid.NewGuid().ToString("N"));
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = System.IO.Path.Combine(Path, System.IO.Path.GetRelativePath(source, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public string Path { get; }

    /// <summary>Adds a file with some bytes that are no repository object.</summary>
    public void Write(string relativePath)
    {
        var target = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(target)!);
        File.WriteAllText(target, "not a repository object");
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
