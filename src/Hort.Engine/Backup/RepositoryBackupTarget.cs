using Hort.Core;
using Hort.Repository;
using Hort.Repository.Chunking;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;

namespace Hort.Engine.Backup;

/// <summary>
/// Backs up into a repository opened on this machine (its index must be loaded), compressing new blobs as
/// <paramref name="compression"/> says.
/// </summary>
public sealed class RepositoryBackupTarget(HortRepository repository, CompressionMode compression = CompressionMode.Auto) : IBackupTarget
{
    public TimeProvider Time => repository.Time;

    public Chunker CreateChunker() => repository.CreateChunker();

    public ObjectId ComputeId(ReadOnlySpan<byte> plaintext) => repository.ComputeId(plaintext);

    public Task<Tree> LoadTreeAsync(ObjectId id, CancellationToken cancellationToken) => repository.LoadTreeAsync(id, cancellationToken);

    public IBackupWriter OpenWriter() => new Writer(new BlobWriter(repository, compression));

    public Task<ObjectId> SaveSnapshotAsync(Snapshot snapshot, CancellationToken cancellationToken) =>
        repository.SaveSnapshotAsync(snapshot, cancellationToken);

    private sealed class Writer(BlobWriter writer) : IBackupWriter
    {
        public WriterStatistics Statistics => writer.Statistics;

        public bool Has(ObjectId id) => writer.Has(id);

        public ValueTask<bool> SaveAsync(BlobType type, ObjectId id, ReadOnlyMemory<byte> raw, CancellationToken cancellationToken) =>
            writer.SaveAsync(type, id, raw, cancellationToken);

        public ValueTask<ObjectId> SaveTreeAsync(Tree tree, CancellationToken cancellationToken) => writer.SaveTreeAsync(tree, cancellationToken);

        public Task FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);

        public void Dispose() => writer.Dispose();
    }
}
