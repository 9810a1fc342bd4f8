using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Hort.Core;
using Hort.Repository.Checking;
using Hort.Repository.Format;
using Hort.Repository.Trees;
using Hort.Storage;
using static Hort.Repository.Tests.Vectors.GoldenVectors;

namespace Hort.Repository.Tests.Vectors;

/// <summary>
/// tests/testdata/repo-v1-vectors is the repository that the vectors of section 14 add up to: the key file, config,
/// pack, index and snapshot of the specification, byte for byte. It proves that the vectors are complete and
/// consistent, and hort must always open it.
/// </summary>
public sealed class VectorRepositoryTests
{
    private static readonly string Root = VectorInputs.TestData("repo-v1-vectors");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Its_files_are_the_vectors_of_the_specification()
    {
        string[] expected =
        [
            "config",
            $"data/{PackId[..2]}/{PackId}",
            $"index/{IndexId}",
            $"keys/{KeyFileId}",
            $"snapshots/{SnapshotId}",
        ];

        Assert.Equal(expected, Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal));
        Assert.Equal(Hex(ConfigBytes), Stored("config"));
        Assert.Equal(Hex(PackBytes), Stored(expected[1]));
        Assert.Equal(Hex(IndexBytes), Stored(expected[2]));
        Assert.Equal(KeyFileJson, File.ReadAllText(Path.Combine(Root, expected[3])));
        Assert.Equal(Hex(SnapshotBytes), Stored(expected[4]));
    }

    [Fact]
    public async Task Hort_opens_it_with_the_vector_password_and_reads_the_snapshot()
    {
        using var repo = await HortRepository.OpenAsync(new ReadOnlyBlobStore(new LocalDirectoryBlobStore(Root)), VectorInputs.Password, cancellationToken: Ct);
        await repo.LoadIndexAsync(Ct);

        Assert.Equal(VectorInputs.MasterKey, repo.Key.Bytes.ToArray());
        Assert.Equal(new Hort.Repository.Chunking.ChunkerParameters(4096, 16384, 65536), repo.Config.Chunker);
        var snapshot = Assert.Single(await repo.ListSnapshotsAsync(Ct));
        Assert.Equal(SnapshotId, snapshot.Id.ToString());
        var root = await repo.LoadTreeAsync(snapshot.Snapshot.Tree, Ct);
        Assert.Equal(["docs", "hort.txt", "link"], root.Nodes.Select(n => n.DisplayName));
        Assert.Empty((await repo.LoadTreeAsync(root.Nodes[0].Subtree, Ct)).Nodes);
        Assert.Equal("hort"u8.ToArray(), await repo.LoadBlobAsync(BlobType.Data, Assert.Single(root.Nodes[1].Content), Ct));
        Assert.Equal("hort.txt"u8.ToArray(), root.Nodes[2].LinkTarget);
        Assert.Equal(NodeType.Symlink, root.Nodes[2].Type);
    }

    [Fact]
    public async Task Check_reading_every_byte_finds_it_intact()
    {
        using var repo = await HortRepository.OpenAsync(new ReadOnlyBlobStore(new LocalDirectoryBlobStore(Root)), VectorInputs.Password, cancellationToken: Ct);

        var report = await new Checker(repo).RunAsync(new CheckOptions { ReadData = true }, Ct);

        Assert.True(report.IsClean, string.Join("\n", report.Errors.Select(e => $"{e.Object}: {e.Description}")));
        Assert.Equal(3, report.BlobsVerified);
        Assert.Equal(ObjectId.Parse(TreeId), (await repo.ListSnapshotsAsync(Ct))[0].Snapshot.Tree);
    }

    [Fact]
    public async Task A_key_file_of_a_newer_version_does_not_stop_a_version_1_key_from_opening()
    {
        // A newer program may add key files this version cannot read; the password's own key file must still open,
        // whatever order the storage lists the key files in.
        using var copy = new RepositoryCopy(Root);
        var newer = """{"version":2,"kdf":{"algorithm":"from-the-future"}}"""u8.ToArray();
        var newerName = Convert.ToHexStringLower(SHA256.HashData(newer));
        File.WriteAllBytes(Path.Combine(copy.Path, "keys", newerName), newer);
        var store = new NameFirstStore(new ReadOnlyBlobStore(new LocalDirectoryBlobStore(copy.Path)), newerName);

        using var repo = await HortRepository.OpenAsync(store, VectorInputs.Password, cancellationToken: Ct);

        Assert.Equal(VectorInputs.MasterKey, repo.Key.Bytes.ToArray());
    }

    private static string Stored(string relativePath) => Convert.ToHexStringLower(File.ReadAllBytes(Path.Combine(Root, relativePath)));
}

/// <summary>A store that lists the blob named <paramref name="first"/> before all others, to pin a listing order.</summary>
internal sealed class NameFirstStore(IBlobStore inner, string first) : IBlobStore
{
    public string Location => inner.Location;

    public Task PutAsync(BlobName name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default) =>
        inner.PutAsync(name, content, cancellationToken);

    public Task<byte[]> GetAsync(BlobName name, CancellationToken cancellationToken = default) => inner.GetAsync(name, cancellationToken);

    public Task<int> ReadAsync(BlobName name, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(name, offset, buffer, cancellationToken);

    public Task<BlobInfo?> StatAsync(BlobName name, CancellationToken cancellationToken = default) => inner.StatAsync(name, cancellationToken);

    public async IAsyncEnumerable<BlobInfo> ListAsync(BlobKind kind, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var all = new List<BlobInfo>();
        await foreach (var info in inner.ListAsync(kind, cancellationToken))
        {
            all.Add(info);
        }

        foreach (var info in all.OrderBy(i => i.Name.Name == first ? 0 : 1))
        {
            yield return info;
        }
    }

    public Task DeleteAsync(BlobName name, CancellationToken cancellationToken = default) => inner.DeleteAsync(name, cancellationToken);
}
