using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Packs;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Repository.Tests.RepositoryApi;

public sealed class BlobWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Saving_the_same_blob_twice_stores_it_once()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var raw = TestRepository.RandomBytes(5000, 1);
        var id = repository.ComputeId(raw);
        using (var writer = new BlobWriter(repository))
        {
            Assert.True(await writer.SaveAsync(BlobType.Data, id, raw, Ct));
            Assert.False(await writer.SaveAsync(BlobType.Data, id, raw, Ct));
            Assert.True(writer.Has(id));
            await writer.FlushAsync(Ct);
            Assert.False(await writer.SaveAsync(BlobType.Data, id, raw, Ct));
            Assert.Equal(1, writer.Statistics.BlobsAdded);
            Assert.Equal(raw.Length, writer.Statistics.RawBytesAdded);
        }

        using (var writer = new BlobWriter(repository))
        {
            Assert.False(await writer.SaveAsync(BlobType.Data, id, raw, Ct));
            await writer.FlushAsync(Ct);
        }

        var pack = Assert.Single(await TestRepository.ListAsync(store, BlobKind.Pack));
        Assert.Single(await TestRepository.ListAsync(store, BlobKind.Index));
        var entries = PackReader.ParseWholePack(repository.Codec.Cipher, ObjectId.Parse(pack.Name.Name), await store.GetAsync(pack.Name, Ct));
        Assert.Equal(id, Assert.Single(entries).Id);
    }

    [Fact]
    public async Task A_writer_compresses_as_its_mode_says_and_every_mode_reads_back_the_same_blob()
    {
        var text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => $"line {i % 97} of the minutes; ")));
        var stored = new Dictionary<CompressionMode, (int Length, CompressionKind Kind)>();
        foreach (var mode in Enum.GetValues<CompressionMode>())
        {
            using var repository = await TestRepository.InitAsync(new InMemoryBlobStore());
            var id = repository.ComputeId(text);
            using (var writer = new BlobWriter(repository, mode))
            {
                await writer.SaveAsync(BlobType.Data, id, text, Ct);
                await writer.FlushAsync(Ct);
            }

            var (form, kind) = await repository.LoadStoredBlobAsync(BlobType.Data, id, Ct);
            stored[mode] = (form.Length, kind);
            Assert.Equal(text, await repository.LoadBlobAsync(BlobType.Data, id, Ct));
        }

        Assert.Equal((text.Length, CompressionKind.None), stored[CompressionMode.Off]);
        Assert.All([CompressionMode.Fast, CompressionMode.Auto, CompressionMode.Max], m => Assert.Equal(CompressionKind.Zstd, stored[m].Kind));
        Assert.True(stored[CompressionMode.Max].Length < stored[CompressionMode.Auto].Length, $"max {stored[CompressionMode.Max]}, auto {stored[CompressionMode.Auto]}");
        Assert.True(stored[CompressionMode.Auto].Length < stored[CompressionMode.Fast].Length, $"auto {stored[CompressionMode.Auto]}, fast {stored[CompressionMode.Fast]}");
    }

    [Fact]
    public async Task Blobs_are_stored_only_on_flush_and_then_load_after_reopening()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var blobs = Enumerable.Range(0, 20).Select(i => TestRepository.RandomBytes(100 + (i * 50), i)).ToList();
        var tree = new Tree([new TreeNode { Name = "file"u8.ToArray(), Type = NodeType.File, Content = blobs.Select(b => repository.ComputeId(b)).ToArray() }]);
        using var writer = new BlobWriter(repository);
        foreach (var blob in blobs)
        {
            await writer.SaveAsync(BlobType.Data, repository.ComputeId(blob), blob, Ct);
        }

        var treeId = await writer.SaveTreeAsync(tree, Ct);

        Assert.Empty(await TestRepository.ListAsync(store, BlobKind.Pack));
        await writer.FlushAsync(Ct);
        using var reopened = await TestRepository.OpenAsync(store);
        foreach (var blob in blobs)
        {
            Assert.Equal(blob, await reopened.LoadBlobAsync(BlobType.Data, reopened.ComputeId(blob), Ct));
        }

        var loaded = await reopened.LoadTreeAsync(treeId, Ct);
        Assert.Equal(tree.Nodes[0].Content, loaded.Nodes[0].Content);
        await Assert.ThrowsAsync<RepositoryCorruptException>(() => reopened.LoadBlobAsync(BlobType.Tree, reopened.ComputeId(blobs[0]), Ct));
    }

    [Fact]
    public async Task A_rented_blob_holds_the_same_bytes_as_a_loaded_one_and_a_missing_blob_is_an_error()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var blobs = new[] { TestRepository.RandomBytes(3000, 7), new byte[2500], TestRepository.RandomBytes(1, 8) };
        using (var writer = new BlobWriter(repository))
        {
            foreach (var blob in blobs)
            {
                await writer.SaveAsync(BlobType.Data, repository.ComputeId(blob), blob, Ct);
            }

            await writer.FlushAsync(Ct);
        }

        foreach (var blob in blobs)
        {
            var (buffer, length) = await repository.RentBlobAsync(BlobType.Data, repository.ComputeId(blob), Ct);
            Assert.Equal(blob, buffer.AsSpan(0, length).ToArray());
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        await Assert.ThrowsAsync<RepositoryCorruptException>(() => repository.RentBlobAsync(BlobType.Data, repository.ComputeId([1, 2, 3]), Ct));
        await Assert.ThrowsAsync<RepositoryCorruptException>(() => repository.RentBlobAsync(BlobType.Tree, repository.ComputeId(blobs[0]), Ct));
    }

    [Fact]
    public async Task Full_packs_are_uploaded_as_they_fill_and_every_blob_loads()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var blobs = Enumerable.Range(0, 60).Select(i => TestRepository.RandomBytes(4000, 100 + i)).ToList();
        using var writer = new BlobWriter(repository);
        foreach (var blob in blobs)
        {
            await writer.SaveAsync(BlobType.Data, repository.ComputeId(blob), blob, Ct);
        }

        var uploadedBeforeFlush = (await TestRepository.ListAsync(store, BlobKind.Pack)).Count;
        await writer.FlushAsync(Ct);

        var packs = await TestRepository.ListAsync(store, BlobKind.Pack);
        // Full packs upload in the background while later blobs are sealed: before the flush at most the open pack
        // and the upload still in flight may be missing.
        Assert.True(uploadedBeforeFlush >= packs.Count - 2, $"only {uploadedBeforeFlush} of {packs.Count} packs were uploaded before the flush");
        Assert.True(packs.Count >= 4, $"the test needs several full packs, got {packs.Count}");
        Assert.Equal(packs.Count, writer.Statistics.PacksWritten);
        // A blob that would take a pack past the pack size starts the next pack; no pack is less full than that.
        Assert.All(packs, p => Assert.True(p.Length <= TestRepository.Options.PackSize, $"{p.Name} is {p.Length} bytes"));
        Assert.All(packs.OrderBy(p => p.Length).Skip(1), p => Assert.True(p.Length > TestRepository.Options.PackSize - 5000, $"{p.Name} is only {p.Length} bytes"));
        using var reopened = await TestRepository.OpenAsync(store);
        Assert.Equal(blobs.Count, reopened.Index.Count);
        Assert.Equal(packs.Count, reopened.Index.PackCount);
        foreach (var blob in blobs)
        {
            Assert.Equal(blob, await reopened.LoadBlobAsync(BlobType.Data, reopened.ComputeId(blob), Ct));
        }
    }

    [Fact]
    public async Task Blobs_of_stored_packs_are_still_known_and_never_stored_again_during_the_run()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var blobs = Enumerable.Range(0, 60).Select(i => TestRepository.RandomBytes(4000, 300 + i)).ToList();
        using var writer = new BlobWriter(repository);
        foreach (var blob in blobs)
        {
            await writer.SaveAsync(BlobType.Data, repository.ComputeId(blob), blob, Ct);
        }

        await writer.FlushAsync(Ct);
        var packs = (await TestRepository.ListAsync(store, BlobKind.Pack)).Count;
        Assert.True(packs >= 4, $"the test needs several packs, got {packs}");

        // Once a pack is indexed its blobs leave the writer's pending set; the index answers for them from then on.
        var again = await Task.WhenAll(blobs.Select(b => writer.SaveAsync(BlobType.Data, repository.ComputeId(b), b, Ct).AsTask()));
        await writer.FlushAsync(Ct);

        Assert.All(again, Assert.False);
        Assert.All(blobs, b => Assert.True(writer.Has(repository.ComputeId(b))));
        Assert.Equal(blobs.Count, writer.Statistics.BlobsAdded);
        Assert.Equal(packs, (await TestRepository.ListAsync(store, BlobKind.Pack)).Count);
    }

    [Fact]
    public async Task Concurrent_saves_on_one_writer_store_each_blob_once()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var blobs = Enumerable.Range(0, 40).Select(i => TestRepository.RandomBytes(3000, 200 + i)).ToList();
        using var writer = new BlobWriter(repository);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var added = 0;
            foreach (var blob in blobs.Skip(worker % 3).Concat(blobs))
            {
                if (await writer.SaveAsync(BlobType.Data, repository.ComputeId(blob), blob, Ct)) added++;
            }

            return added;
        }, Ct)));
        await writer.FlushAsync(Ct);

        Assert.Equal(blobs.Count, results.Sum());
        Assert.Equal(blobs.Count, writer.Statistics.BlobsAdded);
        using var reopened = await TestRepository.OpenAsync(store);
        var stored = 0;
        foreach (var pack in await TestRepository.ListAsync(store, BlobKind.Pack))
        {
            stored += PackReader.ParseWholePack(reopened.Codec.Cipher, ObjectId.Parse(pack.Name.Name), await store.GetAsync(pack.Name, Ct)).Count;
        }

        Assert.Equal(blobs.Count, stored);
    }

    [Fact]
    public async Task Two_writers_on_two_repository_instances_write_overlapping_content_concurrently()
    {
        var store = new InMemoryBlobStore();
        using (await TestRepository.InitAsync(store))
        {
        }

        using var first = await TestRepository.OpenAsync(store);
        using var second = await TestRepository.OpenAsync(store);
        var shared = Enumerable.Range(0, 30).Select(i => TestRepository.RandomBytes(3000, 300 + i)).ToList();
        var own = Enumerable.Range(0, 2).Select(w => Enumerable.Range(0, 15).Select(i => TestRepository.RandomBytes(2500, 400 + (w * 100) + i)).ToList()).ToList();

        await Task.WhenAll(new[] { first, second }.Select((repository, w) => Task.Run(async () =>
        {
            using var writer = new BlobWriter(repository);
            foreach (var blob in (w == 0 ? shared : Enumerable.Reverse(shared)).Concat(own[w]))
            {
                await writer.SaveAsync(BlobType.Data, repository.ComputeId(blob), blob, Ct);
            }

            await writer.FlushAsync(Ct);
        }, Ct)));

        using var reopened = await TestRepository.OpenAsync(store);
        var all = shared.Concat(own[0]).Concat(own[1]).ToList();
        Assert.Equal(all.Count, reopened.Index.Count);
        foreach (var blob in all)
        {
            Assert.Equal(blob, await reopened.LoadBlobAsync(BlobType.Data, reopened.ComputeId(blob), Ct));
        }
    }

    [Fact]
    public async Task A_pack_stored_without_an_index_is_adopted_once()
    {
        var store = new InMemoryBlobStore();
        using (var repository = await TestRepository.InitAsync(store))
        {
            await PutUnindexedPackAsync(repository, "orphan one"u8.ToArray(), "orphan two"u8.ToArray());
        }

        using var reopened = await TestRepository.OpenAsync(store);
        var id = reopened.ComputeId("orphan one"u8);
        Assert.False(reopened.Index.Contains(id));
        await Assert.ThrowsAsync<RepositoryCorruptException>(() => reopened.LoadBlobAsync(BlobType.Data, id, Ct));

        var (adopted, damaged) = await reopened.AdoptUnindexedPacksAsync(Ct);

        Assert.Equal(1, adopted);
        Assert.Empty(damaged);
        Assert.Equal("orphan one"u8.ToArray(), await reopened.LoadBlobAsync(BlobType.Data, id, Ct));
        var second = await reopened.AdoptUnindexedPacksAsync(Ct);
        Assert.Equal(0, second.Adopted);
        Assert.Empty(second.Damaged);
        Assert.Single(await TestRepository.ListAsync(store, BlobKind.Index));

        // The adoption wrote an index, so a later reader finds the blobs without adopting anything.
        using var again = await TestRepository.OpenAsync(store);
        Assert.Equal(0, (await again.AdoptUnindexedPacksAsync(Ct)).Adopted);
        Assert.Equal("orphan two"u8.ToArray(), await again.LoadBlobAsync(BlobType.Data, again.ComputeId("orphan two"u8), Ct));
    }

    [Fact]
    public async Task A_pack_whose_header_cannot_be_read_is_reported_as_damaged_not_adopted()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var garbage = TestRepository.RandomBytes(300, 9);
        var name = BlobName.For(BlobKind.Pack, new ObjectId(System.Security.Cryptography.SHA256.HashData(garbage)));
        await store.PutAsync(name, garbage, Ct);
        var before = await TestRepository.ContentsAsync(store);

        var (adopted, damaged) = await repository.AdoptUnindexedPacksAsync(Ct);

        Assert.Equal(0, adopted);
        Assert.Equal(name.Name, Assert.Single(damaged).ToString());
        await TestRepository.AssertUnchangedAsync(before, store);
    }

    [Fact]
    public async Task After_a_failed_pack_upload_the_writer_refuses_further_work()
    {
        var inner = new InMemoryBlobStore();
        using (await TestRepository.InitAsync(inner))
        {
        }

        var faulty = new FaultInjectingBlobStore(inner);
        using var repository = await TestRepository.OpenAsync(faulty);
        faulty.Options = new FaultInjectionOptions { CountedOperations = BlobOperations.Put, FailAt = faulty.OperationCount + 1 };
        using var writer = new BlobWriter(repository);
        Assert.True(await writer.SaveAsync(BlobType.Data, repository.ComputeId("one"u8), "one"u8.ToArray(), Ct));

        await Assert.ThrowsAsync<IOException>(() => writer.FlushAsync(Ct));

        var refusedSave = await Assert.ThrowsAsync<HortException>(() => writer.SaveAsync(BlobType.Data, repository.ComputeId("two"u8), "two"u8.ToArray(), Ct).AsTask());
        var refusedFlush = await Assert.ThrowsAsync<HortException>(() => writer.FlushAsync(Ct));
        Assert.IsType<IOException>(refusedSave.InnerException);
        Assert.IsType<IOException>(refusedFlush.InnerException);
        Assert.Equal(1, faulty.FaultsInjected);
        Assert.Empty(await TestRepository.ListAsync(inner, BlobKind.Pack));
        Assert.Empty(await TestRepository.ListAsync(inner, BlobKind.Index));
    }

    [Fact]
    public async Task After_a_failed_index_upload_the_writer_refuses_and_the_pack_is_adopted_later()
    {
        var inner = new InMemoryBlobStore();
        using (await TestRepository.InitAsync(inner))
        {
        }

        var faulty = new FaultInjectingBlobStore(inner);
        using var repository = await TestRepository.OpenAsync(faulty);
        faulty.Options = new FaultInjectionOptions { CountedOperations = BlobOperations.Put, FailAt = faulty.OperationCount + 2, Fault = InjectedFault.StorageFull };
        using var writer = new BlobWriter(repository);
        await writer.SaveAsync(BlobType.Data, repository.ComputeId("one"u8), "one"u8.ToArray(), Ct);

        await Assert.ThrowsAsync<StorageFullException>(() => writer.FlushAsync(Ct));
        await Assert.ThrowsAsync<HortException>(() => writer.SaveAsync(BlobType.Data, repository.ComputeId("two"u8), "two"u8.ToArray(), Ct).AsTask());

        Assert.Single(await TestRepository.ListAsync(inner, BlobKind.Pack));
        Assert.Empty(await TestRepository.ListAsync(inner, BlobKind.Index));
        using var reopened = await TestRepository.OpenAsync(inner);
        Assert.Equal(1, (await reopened.AdoptUnindexedPacksAsync(Ct)).Adopted);
        Assert.Equal("one"u8.ToArray(), await reopened.LoadBlobAsync(BlobType.Data, reopened.ComputeId("one"u8), Ct));
    }

    [Fact]
    public async Task A_cancelled_save_does_not_leave_the_blob_counted_as_stored()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        using var writer = new BlobWriter(repository);
        var raw = "cancelled"u8.ToArray();
        var id = repository.ComputeId(raw);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => writer.SaveAsync(BlobType.Data, id, raw, cancelled.Token).AsTask());

        // Whether the cancelled save queued the blob or not, saving it again and flushing must leave it stored.
        await writer.SaveAsync(BlobType.Data, id, raw, Ct);
        await writer.FlushAsync(Ct);
        using var reopened = await TestRepository.OpenAsync(store);
        Assert.Equal(raw, await reopened.LoadBlobAsync(BlobType.Data, id, Ct));
    }

    [Fact]
    public async Task A_save_cancelled_while_another_caller_relies_on_it_does_not_lose_the_blob()
    {
        var inner = new InMemoryBlobStore();
        using (await TestRepository.InitAsync(inner))
        {
        }

        var gated = new GatedBlobStore(inner);
        using var repository = await TestRepository.OpenAsync(gated);
        using var writer = new BlobWriter(repository);
        gated.HoldPacks = true;

        // Fill the pack until a save has to upload it; that upload holds the writer's pack lock at the gate.
        ValueTask<bool> uploading = default;
        for (var i = 0; i < 100 && (i == 0 || uploading.IsCompleted); i++)
        {
            var filler = TestRepository.RandomBytes(4000, 1000 + i);
            uploading = writer.SaveAsync(BlobType.Data, repository.ComputeId(filler), filler, Ct);
        }

        await gated.PackUploadWaiting.Task.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var raw = "wanted by two callers"u8.ToArray();
        var id = repository.ComputeId(raw);
        using var cancelled = new CancellationTokenSource();
        var first = writer.SaveAsync(BlobType.Data, id, raw, cancelled.Token).AsTask();
        Assert.False(first.IsCompleted, "the first save should wait for the pack lock");

        // The second caller is told the blob is already queued ...
        Assert.False(await writer.SaveAsync(BlobType.Data, id, raw, Ct));

        // ... and then the first caller gives up.
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        gated.Open();
        await uploading;

        // The second caller relies on the blob, so the writer must store it — or refuse to flush, so no snapshot is saved without it.
        try
        {
            await writer.FlushAsync(Ct);
        }
        catch (HortException)
        {
            return;
        }

        using var reopened = await TestRepository.OpenAsync(inner);
        Assert.True(reopened.Index.Contains(id), "the blob another caller was told is queued was never stored");
        Assert.Equal(raw, await reopened.LoadBlobAsync(BlobType.Data, id, Ct));
    }

    [Fact]
    public async Task Packs_streamed_to_a_local_directory_hold_every_blob_under_their_hash_and_leave_no_temporary_file()
    {
        using var directory = new TemporaryDirectory();
        var store = LocalDirectoryBlobStore.Create(Path.Combine(directory.Path, "repo"));
        using var repository = await TestRepository.InitAsync(store);
        var blobs = Enumerable.Range(0, 80).Select(i => TestRepository.RandomBytes(3000 + (i * 37), 500 + i)).ToList();
        using (var writer = new BlobWriter(repository))
        {
            foreach (var blob in blobs)
            {
                await writer.SaveAsync(BlobType.Data, repository.ComputeId(blob), blob, Ct);
            }

            await writer.FlushAsync(Ct);
            Assert.Empty(TemporaryFiles(store));
            Assert.Equal(blobs.Count, writer.Statistics.BlobsAdded);
        }

        var packs = await TestRepository.ListAsync(store, BlobKind.Pack);
        Assert.True(packs.Count >= 4, $"the test needs several packs, got {packs.Count}");
        using var reopened = await TestRepository.OpenAsync(store);
        var stored = 0;
        foreach (var pack in packs)
        {
            // ParseWholePack checks the name against the SHA-256 of the bytes as well as the header.
            stored += PackReader.ParseWholePack(reopened.Codec.Cipher, ObjectId.Parse(pack.Name.Name), await store.GetAsync(pack.Name, Ct)).Count;
        }

        Assert.Equal(blobs.Count, stored);
        Assert.Equal(packs.Count, reopened.Index.PackCount);
        foreach (var blob in blobs)
        {
            Assert.Equal(blob, await reopened.LoadBlobAsync(BlobType.Data, reopened.ComputeId(blob), Ct));
        }
    }

    [Fact]
    public async Task A_writer_that_adds_nothing_or_is_disposed_with_a_pack_open_leaves_no_file()
    {
        using var directory = new TemporaryDirectory();
        var store = LocalDirectoryBlobStore.Create(Path.Combine(directory.Path, "repo"));
        using var repository = await TestRepository.InitAsync(store);
        var raw = TestRepository.RandomBytes(2000, 3);
        using (var idle = new BlobWriter(repository))
        {
            await idle.FlushAsync(Ct);
        }

        using (var open = new BlobWriter(repository))
        {
            await open.SaveAsync(BlobType.Data, repository.ComputeId(raw), raw, Ct);
            Assert.Single(TemporaryFiles(store));
        }

        Assert.Empty(TemporaryFiles(store));
        Assert.Empty(await TestRepository.ListAsync(store, BlobKind.Pack));
        Assert.Empty(await TestRepository.ListAsync(store, BlobKind.Index));
    }

    [Fact]
    public async Task A_writer_whose_pack_commit_finds_the_disk_full_refuses_further_work_and_leaves_no_file()
    {
        using var directory = new TemporaryDirectory();
        var (local, faulty, repository) = await OpenFaultyLocalAsync(directory);
        using var _ = repository;
        faulty.Options = new FaultInjectionOptions { CountedOperations = BlobOperations.Put, FailAt = faulty.OperationCount + 1, Fault = InjectedFault.StorageFull };
        using var writer = new BlobWriter(repository);
        var blobs = Enumerable.Range(0, 40).Select(i => TestRepository.RandomBytes(4000, 600 + i)).ToList();

        // The first pack's commit fails in the background; a later save or the flush reports it.
        var failure = await Assert.ThrowsAnyAsync<HortException>(async () =>
        {
            foreach (var blob in blobs)
            {
                await writer.SaveAsync(BlobType.Data, repository.ComputeId(blob), blob, Ct);
            }

            await writer.FlushAsync(Ct);
        });

        Assert.True(failure is StorageFullException || failure.InnerException is StorageFullException, failure.ToString());
        await Assert.ThrowsAsync<HortException>(() => writer.SaveAsync(BlobType.Data, repository.ComputeId("late"u8), "late"u8.ToArray(), Ct).AsTask());
        var refused = await Assert.ThrowsAsync<HortException>(() => writer.FlushAsync(Ct));
        Assert.IsType<StorageFullException>(refused.InnerException);
        Assert.Equal(1, faulty.FaultsInjected);
        writer.Dispose();
        Assert.Empty(TemporaryFiles(local));
        Assert.Empty(await TestRepository.ListAsync(local, BlobKind.Pack));
        Assert.Empty(await TestRepository.ListAsync(local, BlobKind.Index));
    }

    [Fact]
    public async Task A_failed_append_to_a_pack_is_reported_as_a_repository_failure_and_the_writer_refuses_further_work()
    {
        using var directory = new TemporaryDirectory();
        var (local, faulty, repository) = await OpenFaultyLocalAsync(directory);
        using var _ = repository;
        faulty.Options = new FaultInjectionOptions { CountedOperations = BlobOperations.Write, FailAt = faulty.OperationCount + 3 };
        using var writer = new BlobWriter(repository);
        Assert.True(await writer.SaveAsync(BlobType.Data, repository.ComputeId("one"u8), "one"u8.ToArray(), Ct));

        // Not an IOException: a caller reading a file must not take the repository's failure for one of its own.
        var failed = await Assert.ThrowsAsync<HortException>(() => writer.SaveAsync(BlobType.Data, repository.ComputeId("two"u8), "two"u8.ToArray(), Ct).AsTask());

        Assert.Equal("injected I/O error", failed.InnerException?.Message);
        await Assert.ThrowsAsync<HortException>(() => writer.SaveAsync(BlobType.Data, repository.ComputeId("three"u8), "three"u8.ToArray(), Ct).AsTask());
        await Assert.ThrowsAsync<HortException>(() => writer.FlushAsync(Ct));
        writer.Dispose();
        Assert.Empty(TemporaryFiles(local));
        Assert.Empty(await TestRepository.ListAsync(local, BlobKind.Pack));
    }

    /// <summary>A repository in a local directory, opened through a fault-injecting store that injects nothing yet.</summary>
    private static async Task<(LocalDirectoryBlobStore Local, FaultInjectingBlobStore Faulty, HortRepository Repository)> OpenFaultyLocalAsync(TemporaryDirectory directory)
    {
        var local = LocalDirectoryBlobStore.Create(Path.Combine(directory.Path, "repo"));
        using (await TestRepository.InitAsync(local))
        {
        }

        var faulty = new FaultInjectingBlobStore(local);
        return (local, faulty, await TestRepository.OpenAsync(faulty));
    }

    private static string[] TemporaryFiles(LocalDirectoryBlobStore store) =>
        Directory.EnumerateFiles(store.RootPath, LocalDirectoryBlobStore.TemporaryPrefix + "*", SearchOption.AllDirectories).ToArray();

    /// <summary>Stores a pack as an interrupted backup leaves it: uploaded, but listed by no index.</summary>
    internal static async Task<ObjectId> PutUnindexedPackAsync(HortRepository repository, params byte[][] blobs)
    {
        using var pack = new PackWriter(repository.Codec);
        foreach (var blob in blobs)
        {
            pack.Add(BlobType.Data, repository.ComputeId(blob), blob);
        }

        using var finished = pack.Finish();
        await repository.Store.PutAsync(BlobName.For(BlobKind.Pack, finished.Id), finished.Content, Ct);
        return finished.Id;
    }
}
