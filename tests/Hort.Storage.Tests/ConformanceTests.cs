namespace Hort.Storage.Tests;

public sealed class LocalDirectoryBlobStoreConformanceTests : BlobStoreConformance, IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    private string Root => Path.Combine(_directory.Path, "repo");

    protected override IBlobStore CreateStore() => LocalDirectoryBlobStore.Create(Root);

    protected override IBlobStore? CreateSecondStore() => new LocalDirectoryBlobStore(Root);

    public void Dispose() => _directory.Dispose();
}

public sealed class InMemoryBlobStoreConformanceTests : BlobStoreConformance
{
    protected override IBlobStore CreateStore() => new InMemoryBlobStore();
}

/// <summary>With no fault configured the wrapper must be invisible.</summary>
public sealed class FaultInjectingBlobStoreConformanceTests : BlobStoreConformance
{
    private readonly InMemoryBlobStore _inner = new();

    protected override IBlobStore CreateStore() => new FaultInjectingBlobStore(_inner);

    protected override IBlobStore? CreateSecondStore() => new FaultInjectingBlobStore(_inner);
}
