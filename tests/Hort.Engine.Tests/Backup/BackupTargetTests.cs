using Hort.Core;
using Hort.Engine.Backup;
using Hort.Engine.Restore;
using Hort.Engine.Tests.Support;
using Hort.Repository;
using Hort.Repository.Chunking;
using Hort.Repository.Format;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;

namespace Hort.Engine.Tests.Backup;

/// <summary>The archiver and restorer work through their seams, as the agent uses them with only the dedup keys.</summary>
public sealed class BackupTargetTests : IDisposable
{
    private readonly ScratchDirectory _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task A_target_naming_chunks_with_the_subkeys_alone_saves_the_same_snapshot_tree()
    {
        var ct = TestContext.Current.CancellationToken;
        var source = _scratch.SubText("source");
        Directory.CreateDirectory(Path.Combine(source, "docs"));
        await File.WriteAllBytesAsync(Path.Combine(source, "docs", "big.bin"), TestBytes(200_000, 3), ct);
        await File.WriteAllTextAsync(Path.Combine(source, "note.txt"), "hello", ct);

        using var repository = await TestRepository.CreateAsync();
        var direct = await repository.BackupAsync(source);
        using var keys = new ChunkingKeys(repository.Key.ChunkIdKey, repository.Key.ChunkerKey, repository.Config.Chunker);
        var target = new KeysOnlyTarget(repository, keys);
        var viaSeam = await new Archiver(target, new BackupOptions { Paths = [source] }).RunAsync(ct);

        // Access times may differ between the two runs; the chunk lists may not.
        var expected = await repository.FindNodeAsync(direct.Snapshot, source + "/docs/big.bin");
        var actual = await repository.FindNodeAsync(viaSeam.Snapshot, source + "/docs/big.bin");
        Assert.True(expected.Content.Count > 3);
        Assert.Equal(expected.Content, actual.Content);
        Assert.True(target.SnapshotSaved);

        var restored = _scratch.SubText("restored");
        await new Restorer(new RepositoryRestoreSource(repository), new RestoreOptions { Target = restored, RestoreOwnership = false })
            .RunAsync(viaSeam.Stored(), ct);
        Assert.Equal(TestBytes(200_000, 3), await File.ReadAllBytesAsync(restored + source + "/docs/big.bin", ct));
    }

    private static byte[] TestBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Stores into a repository but names and splits content with <see cref="ChunkingKeys"/> only.</summary>
    private sealed class KeysOnlyTarget(HortRepository repository, ChunkingKeys keys) : IBackupTarget
    {
        private readonly RepositoryBackupTarget _inner = new(repository);

        public bool SnapshotSaved { get; private set; }

        public TimeProvider Time => TimeProvider.System;

        public Chunker CreateChunker() => keys.CreateChunker();

        public ObjectId ComputeId(ReadOnlySpan<byte> plaintext) => keys.ComputeId(plaintext);

        public Task<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken) => _inner.LoadTreeAsync(id, cancellationToken);

        public IBackupWriter OpenWriter() => _inner.OpenWriter();

        public async Task<ObjectId> SaveSnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken)
        {
            SnapshotSaved = true;
            return await _inner.SaveSnapshotAsync(snapshot, cancellationToken);
        }
    }
}
