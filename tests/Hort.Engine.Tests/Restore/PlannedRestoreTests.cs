using System.Security.Cryptography;
using System.Text;
using Hort.Core;
using Hort.Engine.Restore;
using Hort.Engine.Tests.Support;
using Hort.Repository;
using Hort.Repository.Format;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Engine.Tests.Restore;

/// <summary>
/// Restores from a local repository read pack by pack (each pack's ranges once, chunks written at their offsets by
/// several workers, files in batches): the result and every reported problem must be the same as when the same
/// repository is read chunk by chunk, file by file (<see cref="ChunkByChunkSource"/>, as a server source restores).
/// </summary>
public sealed class PlannedRestoreTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    private readonly ScratchDirectory _scratch = new();
    private LocalDirectoryBlobStore _store = null!;
    private HortRepository _repository = null!;

    private string Source => _scratch.SubText("src");

    public async ValueTask InitializeAsync()
    {
        _store = LocalDirectoryBlobStore.Create(_scratch.SubText("repo"));
        // The smallest packs, so that one file spans many packs and a batch reads many ranges.
        _repository = await HortRepository.InitAsync(_store, "pw", new RepositoryInitOptions
        {
            KeyCost = new KeyDerivationCost(1, 8 * 1024 * 1024),
            Chunker = TestRepository.SmallChunks,
            PackSize = RepositoryConfig.MinPackSize,
        });
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("src"));
    }

    public ValueTask DisposeAsync()
    {
        _repository.Dispose();
        _scratch.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Shared_repeated_zero_and_no_chunks_come_back_byte_identical_both_ways()
    {
        var a = RandomNumberGenerator.GetBytes(20_000);
        var b = RandomNumberGenerator.GetBytes(30_000);
        var zeros = new byte[16_384];
        var expected = new Dictionary<string, byte[]>
        {
            ["twice"] = [.. a, .. a, .. b],
            ["shared"] = [.. b, .. a],
            ["empty"] = [],
            ["holes"] = [.. zeros, .. a, .. zeros],
            ["zeros"] = zeros,
            ["ro/inside"] = a,
        };
        var snapshot = await _repository.SaveHandMadeSnapshotAsync(async h =>
        {
            var (ia, ib, iz) = (await h.ChunkAsync(a), await h.ChunkAsync(b), await h.ChunkAsync(zeros));
            var readOnly = await h.DirectoryAsync("ro", HandMadeTrees.ChunkedFile("inside", a.Length, ia));
            readOnly = readOnly with { Mode = 0x16D }; // 0555: its file is filled after the directory got its mode
            return await h.TreeAsync(
                HandMadeTrees.ChunkedFile("twice", expected["twice"].Length, ia, ia, ib),
                HandMadeTrees.ChunkedFile("shared", expected["shared"].Length, ib, ia),
                HandMadeTrees.ChunkedFile("empty", 0),
                HandMadeTrees.ChunkedFile("holes", expected["holes"].Length, iz, ia, iz),
                HandMadeTrees.ChunkedFile("zeros", zeros.Length, iz),
                readOnly);
        });

        foreach (var source in Sources())
        {
            var target = _scratch.SubText("out-" + Guid.NewGuid().ToString("N")[..8]);
            var result = await new Restorer(source, new RestoreOptions { Target = target }).RunAsync(snapshot, Ct);
            Assert.Empty(result.Issues);
            Assert.Equal(expected.Count, result.Files);
            foreach (var (path, bytes) in expected)
            {
                Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(target, path)));
            }

            Assert.Equal("0555", TreeState.Capture(target).Entries["ro"].Mode);
        }
    }

    [Fact]
    public async Task Large_files_many_small_files_and_hard_links_restore_like_the_source_into_an_existing_folder()
    {
        // A file larger than many packs, more files than one batch holds, a hard link pair, an empty file and a
        // read-only directory.
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/large"), RandomNumberGenerator.GetBytes(3 << 20));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("src/empty"), []);
        for (var d = 0; d < 3; d++)
        {
            Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub($"src/d{d}"));
            for (var f = 0; f < 450; f++)
            {
                Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub($"src/d{d}/f{f}"), Encoding.UTF8.GetBytes($"file {d}/{f} " + new string('x', f * 7)), (uint)(0x100 + (f % 0x100)));
            }
        }

        Libc.HardLink(Libc.AT_FDCWD, _scratch.Sub("src/d0/f1"), Libc.AT_FDCWD, _scratch.Sub("src/d2/link"));
        Libc.Chmod(Libc.AT_FDCWD, _scratch.Sub("src/d1"), 0x16D);
        var backup = await _repository.BackupAsync(Source);
        Assert.Empty(backup.Issues);
        var original = TreeState.Capture(Source);
        Libc.Chmod(Libc.AT_FDCWD, _scratch.Sub("src/d1"), 0x1ED);

        foreach (var source in Sources())
        {
            // An existing target: a stale file is replaced, a symlink in a file's place is replaced (never followed),
            // and an entry the snapshot does not have stays.
            var target = _scratch.SubText("out-" + Guid.NewGuid().ToString("N")[..8]);
            var restoredSource = target + Source;
            Directory.CreateDirectory(restoredSource + "/d0");
            File.WriteAllText(restoredSource + "/d0/f2", "stale");
            File.WriteAllText(_scratch.SubText("victim"), "untouched");
            File.CreateSymbolicLink(restoredSource + "/d0/f3", _scratch.SubText("victim"));
            File.WriteAllText(target + "/extra", "stays");

            var result = await new Restorer(source, new RestoreOptions { Target = target }).RunAsync(backup.Stored(), Ct);
            Assert.Empty(result.Issues);
            Assert.Equal("untouched", File.ReadAllText(_scratch.SubText("victim")));
            Assert.Equal("stays", File.ReadAllText(target + "/extra"));
            TreeState.AssertSameContentAndMetadata(original, TreeState.Capture(restoredSource));
        }
    }

    [Fact]
    public async Task A_missing_pack_mid_restore_names_exactly_the_files_a_chunk_by_chunk_restore_names()
    {
        var files = WriteRandomFiles(12, 200_000);
        var backup = await _repository.BackupAsync(Source);

        // A pack in the middle holding data.
        var packs = await DataPacksInFileOrderAsync(await _repository.FindNodeAsync(backup.Snapshot, Source));
        var lost = packs[packs.Count / 2];
        await _store.DeleteAsync(BlobName.For(BlobKind.Pack, lost), Ct);

        var (planned, chunkByChunk) = await RestoreBothWaysAsync(backup.Stored(), files);
        Assert.Equal(chunkByChunk, planned);
        Assert.NotEmpty(planned);
        Assert.All(planned, i => Assert.Contains("pack is missing", i.Message, StringComparison.Ordinal));
        Assert.Contains(planned, i => i.Message.Contains(lost.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_damaged_chunk_names_exactly_the_files_a_chunk_by_chunk_restore_names()
    {
        var files = WriteRandomFiles(8, 150_000);
        var backup = await _repository.BackupAsync(Source);
        var packs = await DataPacksInFileOrderAsync(await _repository.FindNodeAsync(backup.Snapshot, Source));
        var path = _store.PathOf(BlobName.For(BlobKind.Pack, packs[1]));
        var bytes = File.ReadAllBytes(path);
        bytes[100] ^= 0x40; // inside the first blob of the pack
        File.WriteAllBytes(path, bytes);

        var (planned, chunkByChunk) = await RestoreBothWaysAsync(backup.Stored(), files);
        Assert.Equal(chunkByChunk, planned);
        Assert.Contains(planned, i => i.Message.Contains("authentication failed", StringComparison.Ordinal));
    }

    /// <summary>Both read paths over the same repository.</summary>
    private IEnumerable<IRestoreSource> Sources() => [new RepositoryRestoreSource(_repository), new ChunkByChunkSource(_repository)];

    private Dictionary<string, byte[]> WriteRandomFiles(int count, int size)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var content = RandomNumberGenerator.GetBytes(size);
            Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub($"src/file{i:D2}"), content);
            files[$"{Source}/file{i:D2}"] = content;
        }

        return files;
    }

    /// <summary>The distinct packs holding the chunks of the source's files, in the order the files need them.</summary>
    private async Task<List<ObjectId>> DataPacksInFileOrderAsync(TreeNode sourceDirectory)
    {
        var tree = await _repository.LoadTreeAsync(sourceDirectory.Subtree, Ct);
        var packs = new List<ObjectId>();
        foreach (var node in tree.Nodes)
        {
            foreach (var chunk in node.Content)
            {
                var pack = _repository.LocateBlob(BlobType.Data, chunk).PackId;
                if (!packs.Contains(pack))
                {
                    packs.Add(pack);
                }
            }
        }

        Assert.True(packs.Count >= 3, $"only {packs.Count} packs");
        return packs;
    }

    /// <summary>Restores both ways; checks that no file came back with wrong bytes unnamed; returns both sorted issue lists.</summary>
    private async Task<(List<RestoreIssue> Planned, List<RestoreIssue> ChunkByChunk)> RestoreBothWaysAsync(StoredSnapshot snapshot, Dictionary<string, byte[]> files)
    {
        var issues = new List<List<RestoreIssue>>();
        foreach (var source in Sources())
        {
            var target = _scratch.SubText("out-" + Guid.NewGuid().ToString("N")[..8]);
            var result = await new Restorer(source, new RestoreOptions { Target = target }).RunAsync(snapshot, Ct);
            var named = result.Issues.Select(i => i.Path).ToHashSet(StringComparer.Ordinal);
            foreach (var (path, bytes) in files)
            {
                var intact = File.Exists(target + path) && File.ReadAllBytes(target + path).AsSpan().SequenceEqual(bytes);
                Assert.True(intact != named.Contains(path), $"{path}: intact {intact}, named {named.Contains(path)}");
            }

            issues.Add([.. result.Issues.OrderBy(i => i.Path, StringComparer.Ordinal)]);
        }

        return (issues[0], issues[1]);
    }

    /// <summary>The same repository read chunk by chunk, file by file, as sources without a local repository restore.</summary>
    private sealed class ChunkByChunkSource(HortRepository repository) : IRestoreSource
    {
        public Task<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken) => repository.LoadTreeAsync(id, cancellationToken);

        public Task<byte[]> LoadBlobAsync(BlobType type, ObjectId id, CancellationToken cancellationToken) =>
            repository.LoadBlobAsync(type, id, cancellationToken);
    }
}
