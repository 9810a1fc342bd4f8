using Hort.Core;
using Hort.Repository.Maintenance;
using Hort.Storage;

namespace Hort.Repository.Tests.Maintenance;

/// <summary>
/// Fails the k-th storage operation of a backup and of a prune, for every k (of a backup's appends to its staged packs,
/// a sample), first as an I/O error and then as a full disk: each run stops with that error (or, when only the removal of its own lease or lock failed, succeeds and leaves
/// that behind), the repository checks clean, every committed snapshot reads back byte for byte, and the next backup
/// and prune succeed.
/// </summary>
public sealed class StorageFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<InjectedFault> Faults => new(InjectedFault.IOError, InjectedFault.StorageFull);

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_prune_failing_at_any_storage_operation_leaves_a_valid_repository_and_the_next_prune_finishes(InjectedFault fault)
    {
        var base_ = await PruneFixture.CreateAsync();
        var snapshots = new List<ObjectId>();
        for (var g = 0; g < 3; g++)
        {
            snapshots.Add(await base_.BackupAsync(PruneFixture.Files(16, g)));
        }

        await base_.ForgetAsync(snapshots[0]);
        var operations = await CountAsync(base_, (f, store) => f.PruneAsync(store: store));
        Assert.True(operations > 20, $"prune used only {operations} storage operations");
        Log($"prune: failing each of {operations} storage operations with {fault}");

        for (var k = 1; k <= operations; k++)
        {
            var fixture = await base_.CloneAsync();
            var faulty = new FaultInjectingBlobStore(fixture.Store, new FaultInjectionOptions { FailAt = k, Fault = fault });
            var outcome = await RunAsync(() => fixture.PruneAsync(store: faulty), fault, $"prune, operation {k} of {operations}");
            if (outcome is not null)
            {
                // Only removing its own lock failed; the lock's holder has gone, so it blocks nobody.
                Assert.Single(await PrunerTests.ListAsync(fixture.Store, BlobKind.Lock));
            }

            await fixture.VerifyAsync($"after prune failed at operation {k} ({fault})");
            var next = await fixture.PruneAsync();
            Assert.True(next.Outcome is PruneOutcome.Completed or PruneOutcome.NothingToDo, $"operation {k}: {next.Outcome}");
            Assert.Empty(await PrunerTests.ListAsync(fixture.Store, BlobKind.Deletion));
            await fixture.BackupAsync(PruneFixture.Files(16, 3));
            await fixture.VerifyAsync($"after the prune and backup that followed a failure at operation {k} ({fault})");
        }
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_backup_failing_at_any_storage_operation_commits_nothing_incomplete_and_the_next_backup_succeeds(InjectedFault fault)
    {
        var base_ = await PruneFixture.CreateAsync();
        await base_.BackupAsync(PruneFixture.Files(16, 0));
        await base_.BackupAsync(PruneFixture.Files(16, 1));
        var files = PruneFixture.Files(64, 2);

        // Every operation but the appends to staged packs fails once; of those hundreds of appends, which all take the
        // same path, the first ones, one in the middle and the last do.
        var others = BlobOperations.All & ~BlobOperations.Write;
        var operations = await CountAsync(base_, (f, store) => f.BackupAsync(files, store), others);
        var appends = await CountAsync(base_, (f, store) => f.BackupAsync(files, store), BlobOperations.Write);
        Log($"backup: failing each of {operations} storage operations and 4 of {appends} appends with {fault}");
        var cases = Enumerable.Range(1, operations).Select(k => (Counted: others, K: k))
            .Concat(new[] { 1, 2, appends / 2, appends }.Distinct().Select(k => (Counted: BlobOperations.Write, K: k)));

        foreach (var (counted, k) in cases)
        {
            var fixture = await base_.CloneAsync();
            var faulty = new FaultInjectingBlobStore(fixture.Store, new FaultInjectionOptions { CountedOperations = counted, FailAt = k, Fault = fault });
            var before = fixture.Committed.Count;
            var outcome = await RunAsync(() => fixture.BackupAsync(files, faulty), fault, $"backup, {counted} operation {k}");
            Assert.Equal(outcome is null ? before : before + 1, fixture.Committed.Count);

            await fixture.VerifyAsync($"after backup failed at {counted} operation {k} ({fault})");
            await fixture.BackupAsync(files);
            var pruned = await fixture.PruneAsync(maxUnused: 1);
            Assert.True(pruned.Outcome is PruneOutcome.Completed or PruneOutcome.NothingToDo, $"{counted} operation {k}: {pruned.Outcome}");
            await fixture.VerifyAsync($"after the backup and prune that followed a failure at {counted} operation {k} ({fault})");
        }
    }

    private static void Log(string line) => TestContext.Current.TestOutputHelper?.WriteLine(line);

    /// <summary>Counts the storage operations (of the <paramref name="counted"/> kinds) of one clean run on a copy.</summary>
    private static async Task<int> CountAsync(PruneFixture base_, Func<PruneFixture, IBlobStore, Task> run, BlobOperations counted = BlobOperations.All)
    {
        var fixture = await base_.CloneAsync();
        var counting = new FaultInjectingBlobStore(fixture.Store, new FaultInjectionOptions { CountedOperations = counted });
        await run(fixture, counting);
        return (int)counting.OperationCount;
    }

    /// <summary>
    /// Runs an operation that meets one injected fault; returns null when it failed with exactly that fault (somewhere
    /// in the exception chain), or its result when the fault hit only a clean-up whose failure is harmless.
    /// </summary>
    private static async Task<object?> RunAsync<T>(Func<Task<T>> run, InjectedFault fault, string context)
    {
        try
        {
            return await run();
        }
        catch (Exception e)
        {
            var chain = new List<Exception>();
            for (var x = e; x is not null; x = x.InnerException) chain.Add(x);
            var injected = fault == InjectedFault.StorageFull
                ? chain.OfType<StorageFullException>().Any()
                : chain.OfType<IOException>().Any(x => x.Message == "injected I/O error");
            Assert.True(injected, $"{context}: failed with something other than the injected fault: {e}");
            return null;
        }
    }
}
