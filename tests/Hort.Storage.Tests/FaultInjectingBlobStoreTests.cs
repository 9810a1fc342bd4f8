namespace Hort.Storage.Tests;

public sealed class FaultInjectingBlobStoreTests
{
    private static readonly BlobName First = new(BlobKind.Pack, "aa01");
    private static readonly BlobName Second = new(BlobKind.Pack, "bb02");

    private readonly InMemoryBlobStore _inner = new();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Only_the_kth_counted_operation_fails()
    {
        var store = new FaultInjectingBlobStore(_inner, new FaultInjectionOptions { FailAt = 3 });

        await store.PutAsync(First, new byte[] { 1 }, Token);
        Assert.Equal(new byte[] { 1 }, await store.GetAsync(First, Token));
        var error = await Assert.ThrowsAsync<IOException>(() => store.StatAsync(First, Token));
        Assert.NotNull(await store.StatAsync(First, Token));
        await store.DeleteAsync(First, Token);

        Assert.Equal("injected I/O error", error.Message);
        Assert.Equal(5, store.OperationCount);
        Assert.Equal(1, store.FaultsInjected);
        Assert.Equal(0, _inner.Count);
    }

    [Fact]
    public async Task With_keep_failing_every_operation_from_the_kth_on_fails()
    {
        var store = new FaultInjectingBlobStore(_inner, new FaultInjectionOptions { FailAt = 2, KeepFailing = true });

        await store.PutAsync(First, new byte[] { 1 }, Token);
        await Assert.ThrowsAsync<IOException>(() => store.GetAsync(First, Token));
        await Assert.ThrowsAsync<IOException>(() => store.ReadAsync(First, 0, new byte[1], Token));
        await Assert.ThrowsAsync<IOException>(() => store.DeleteAsync(First, Token));
        await Assert.ThrowsAsync<IOException>(() => store.PutAsync(Second, new byte[] { 2 }, Token));

        Assert.Equal(4, store.FaultsInjected);
        Assert.NotNull(await _inner.StatAsync(First, Token));
        Assert.Null(await _inner.StatAsync(Second, Token));
    }

    [Fact]
    public async Task A_failed_put_stores_nothing()
    {
        var store = new FaultInjectingBlobStore(
            _inner, new FaultInjectionOptions { FailAt = 1, Fault = InjectedFault.StorageFull });

        // The fault arrives through the task, where callers of a real store would meet it.
        var put = store.PutAsync(First, new byte[] { 1 }, Token);
        await Assert.ThrowsAsync<StorageFullException>(() => put);

        Assert.Null(await _inner.StatAsync(First, Token));
        Assert.Null(await store.StatAsync(First, Token));
    }

    [Fact]
    public async Task Operations_outside_the_counted_set_neither_count_nor_fail()
    {
        var store = new FaultInjectingBlobStore(
            _inner, new FaultInjectionOptions { CountedOperations = BlobOperations.Put, FailAt = 2 });

        await store.PutAsync(First, new byte[] { 1 }, Token);
        for (var i = 0; i < 5; i++)
        {
            await store.GetAsync(First, Token);
            await store.StatAsync(First, Token);
        }

        Assert.Equal(1, store.OperationCount);
        await Assert.ThrowsAsync<IOException>(() => store.PutAsync(Second, new byte[] { 2 }, Token));
        Assert.Null(await _inner.StatAsync(Second, Token));
    }

    [Fact]
    public async Task A_listing_fails_when_enumerated_as_the_kth_operation()
    {
        await _inner.PutAsync(First, new byte[] { 1 }, Token);
        var store = new FaultInjectingBlobStore(
            _inner, new FaultInjectionOptions { CountedOperations = BlobOperations.List, FailAt = 1 });

        await Assert.ThrowsAsync<IOException>(async () =>
        {
            await foreach (var unused in store.ListAsync(BlobKind.Pack, Token))
            {
            }
        });

        var listed = new List<BlobInfo>();
        await foreach (var blob in store.ListAsync(BlobKind.Pack, Token))
        {
            listed.Add(blob);
        }

        Assert.Equal([new BlobInfo(First, 1)], listed);
    }

    [Fact]
    public async Task Faults_can_be_armed_for_the_next_operation_at_any_time()
    {
        var store = new FaultInjectingBlobStore(_inner);
        await store.PutAsync(First, new byte[] { 1 }, Token);
        await store.GetAsync(First, Token);

        store.Options = new FaultInjectionOptions { FailAt = store.OperationCount + 1 };

        await Assert.ThrowsAsync<IOException>(() => store.GetAsync(First, Token));
        Assert.Equal(new byte[] { 1 }, await store.GetAsync(First, Token));
    }

    [Fact]
    public async Task A_staged_put_counts_each_append_as_a_write_and_its_commit_as_a_put()
    {
        var store = new FaultInjectingBlobStore(_inner);
        using var staged = store.BeginPut(BlobKind.Pack);
        staged.Write(new byte[] { 1 });
        staged.Write(new byte[] { 2 });
        await staged.CommitAsync(First, Token);

        Assert.Equal(3, store.OperationCount);
        Assert.Equal(new byte[] { 1, 2 }, await _inner.GetAsync(First, Token));
    }

    [Fact]
    public async Task A_failed_append_abandons_the_staged_put_and_stores_nothing()
    {
        var store = new FaultInjectingBlobStore(
            _inner, new FaultInjectionOptions { CountedOperations = BlobOperations.Write, FailAt = 2, Fault = InjectedFault.StorageFull });
        using var staged = store.BeginPut(BlobKind.Pack);
        staged.Write(new byte[] { 1 });

        Assert.Throws<StorageFullException>(() => staged.Write(new byte[] { 2 }));

        Assert.Throws<InvalidOperationException>(() => staged.Write(new byte[] { 3 }));
        await Assert.ThrowsAsync<InvalidOperationException>(() => staged.CommitAsync(First, Token));
        Assert.Equal(0, _inner.Count);
        Assert.Equal(1, store.FaultsInjected);
    }

    [Fact]
    public async Task A_failed_commit_surfaces_through_its_task_and_stores_nothing()
    {
        var store = new FaultInjectingBlobStore(
            _inner, new FaultInjectionOptions { CountedOperations = BlobOperations.Put, FailAt = 1, Fault = InjectedFault.StorageFull });
        using var staged = store.BeginPut(BlobKind.Pack);
        staged.Write(new byte[] { 1 });

        var commit = staged.CommitAsync(First, Token);
        await Assert.ThrowsAsync<StorageFullException>(() => commit);

        Assert.Equal(0, _inner.Count);
        await Assert.ThrowsAsync<InvalidOperationException>(() => staged.CommitAsync(First, Token));
    }

    [Fact]
    public async Task A_staged_put_on_a_local_directory_is_abandoned_there_when_a_fault_is_injected()
    {
        using var directory = new TemporaryDirectory();
        var local = LocalDirectoryBlobStore.Create(Path.Combine(directory.Path, "repo"));
        var store = new FaultInjectingBlobStore(
            local, new FaultInjectionOptions { CountedOperations = BlobOperations.Put, FailAt = 1 });
        using var staged = store.BeginPut(BlobKind.Pack);
        staged.Write(new byte[100]);

        await Assert.ThrowsAsync<IOException>(() => staged.CommitAsync(First, Token));

        Assert.Empty(Directory.EnumerateFiles(local.RootPath, LocalDirectoryBlobStore.TemporaryPrefix + "*", SearchOption.AllDirectories));
        Assert.Null(await local.StatAsync(First, Token));
    }

    [Fact]
    public async Task A_corrupt_bit_reads_back_flipped_while_the_stored_blob_stays_intact()
    {
        var content = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
        await _inner.PutAsync(First, content, Token);
        await _inner.PutAsync(Second, content, Token);
        var store = new FaultInjectingBlobStore(
            _inner, new FaultInjectionOptions { CorruptBit = 50 * 8 + 3, CorruptBlob = First });

        var whole = await store.GetAsync(First, Token);
        var range = new byte[20];
        var read = await store.ReadAsync(First, 40, range, Token);
        var before = new byte[10];
        await store.ReadAsync(First, 0, before, Token);

        var expected = content.ToArray();
        expected[50] ^= 1 << 3;
        Assert.Equal(expected, whole);
        Assert.Equal(20, read);
        Assert.Equal(expected.AsSpan(40, 20).ToArray(), range);
        Assert.Equal(content.AsSpan(0, 10).ToArray(), before);
        Assert.Equal(content, await store.GetAsync(Second, Token));
        Assert.Equal(content, await _inner.GetAsync(First, Token));
    }
}

public sealed class ReadOnlyBlobStoreTests
{
    private static readonly BlobName Blob = new(BlobKind.Snapshot, "abcd");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Writes_are_refused_and_change_nothing()
    {
        var inner = new InMemoryBlobStore();
        await inner.PutAsync(Blob, new byte[] { 1, 2 }, Token);
        var store = new ReadOnlyBlobStore(inner);

        var putTask = store.PutAsync(new BlobName(BlobKind.Snapshot, "ef01"), new byte[] { 3 }, Token);
        var deleteTask = store.DeleteAsync(Blob, Token);
        var put = await Assert.ThrowsAsync<InvalidOperationException>(() => putTask);
        var delete = await Assert.ThrowsAsync<InvalidOperationException>(() => deleteTask);

        var begin = Assert.Throws<InvalidOperationException>(() => store.BeginPut(BlobKind.Snapshot));
        Assert.Equal("the repository is opened read-only", put.Message);
        Assert.Equal("the repository is opened read-only", delete.Message);
        Assert.Equal("the repository is opened read-only", begin.Message);
        Assert.Equal(1, inner.Count);
        Assert.Equal(new byte[] { 1, 2 }, await inner.GetAsync(Blob, Token));
    }

    [Fact]
    public async Task Reads_pass_through()
    {
        var inner = new InMemoryBlobStore();
        await inner.PutAsync(Blob, new byte[] { 1, 2, 3 }, Token);
        var store = new ReadOnlyBlobStore(inner);

        var buffer = new byte[2];
        var listed = new List<BlobInfo>();
        await foreach (var blob in store.ListAsync(BlobKind.Snapshot, Token))
        {
            listed.Add(blob);
        }

        Assert.Equal(new byte[] { 1, 2, 3 }, await store.GetAsync(Blob, Token));
        Assert.Equal(2, await store.ReadAsync(Blob, 1, buffer, Token));
        Assert.Equal(new byte[] { 2, 3 }, buffer);
        Assert.Equal(new BlobInfo(Blob, 3), await store.StatAsync(Blob, Token));
        Assert.Equal([new BlobInfo(Blob, 3)], listed);
        Assert.Equal(inner.Location, store.Location);
    }
}
