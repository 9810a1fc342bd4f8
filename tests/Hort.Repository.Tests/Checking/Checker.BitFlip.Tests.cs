using Hort.Core;
using Hort.Repository.Checking;
using Hort.Repository.Format;
using Hort.Repository.Tests.Format;
using Hort.Repository.Tests.RepositoryApi;
using Hort.Storage;

namespace Hort.Repository.Tests.Checking;

/// <summary>One flipped bit anywhere in a stored object must not go unnoticed, and must be mapped to the right paths.</summary>
public sealed class CheckerBitFlipTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_flipped_bit_in_every_stored_file_but_the_config_makes_the_full_check_fail_naming_the_file()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var store = sample.Store;
        var random = new Random(MalformedInput.Seed);
        var files = new List<BlobInfo>();
        foreach (var kind in Enum.GetValues<BlobKind>().Where(k => k != BlobKind.Config))
        {
            files.AddRange(await TestRepository.ListAsync(store, kind));
        }

        Assert.Contains(files, f => f.Name.Kind == BlobKind.Key);
        Assert.Contains(files, f => f.Name.Kind == BlobKind.Index);
        Assert.Contains(files, f => f.Name.Kind == BlobKind.Pack);
        Assert.Contains(files, f => f.Name.Kind == BlobKind.Snapshot);
        using var repository = await HortRepository.OpenAsync(store, TestRepository.Password, cancellationToken: Ct);
        foreach (var file in files)
        {
            var original = await store.GetAsync(file.Name, Ct);
            var bits = new List<long> { 0, 7, (original.Length - 1) * 8L, (original.Length * 8L) - 1 };
            for (var i = 0; i < 8; i++)
            {
                bits.Add(random.NextInt64(original.Length * 8L));
            }

            foreach (var bit in bits)
            {
                var damaged = original.ToArray();
                damaged[bit / 8] ^= (byte)(1 << (int)(bit % 8));
                await store.PutAsync(file.Name, damaged, Ct);
                try
                {
                    // The repository stays open, as a key file can only be damaged after it was used.
                    var report = await new Checker(repository).RunAsync(new CheckOptions { ReadData = true }, Ct);

                    Assert.False(report.IsClean, $"bit {bit} of {file.Name} flipped, yet the check is clean");
                    Assert.True(
                        report.Errors.Any(e => e.Object == file.Name.ToString()),
                        $"bit {bit} of {file.Name} flipped; no error names it:\n{CheckerTests.Describe(report)}");
                }
                finally
                {
                    await store.PutAsync(file.Name, original, Ct);
                }
            }
        }

        Assert.True((await CheckerTests.CheckAsync(store, readData: true)).IsClean);
    }

    [Fact]
    public async Task A_flipped_bit_in_a_data_blob_is_mapped_to_exactly_the_snapshots_and_paths_that_use_that_blob()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var random = new Random(MalformedInput.Seed);
        var failures = new List<string>();
        foreach (var (chunk, blobId) in sample.Chunks)
        {
            var report = await CheckWithFlippedBitAsync(sample, blobId, random);

            var expected = sample.AffectedByData(blobId);
            var actual = CheckerTests.Affected(report);
            Assert.NotEmpty(expected);
            if (!expected.SequenceEqual(actual))
            {
                failures.Add($"chunk {chunk}: expected\n    {string.Join("\n    ", expected)}\n  got\n    {string.Join("\n    ", actual)}");
            }
        }

        Assert.True(failures.Count == 0, "affected paths differ from the paths that use the damaged blob:\n" + string.Join("\n", failures));
    }

    [Fact]
    public async Task A_flipped_bit_in_a_tree_blob_names_that_directory_in_every_snapshot_that_shares_it()
    {
        var sample = await SampleRepository.CreateAsync(new InMemoryBlobStore());
        var etc = sample.Snapshots[0].Directories["/etc"];
        Assert.Equal(etc, sample.Snapshots[1].Directories["/etc"]);

        var report = await CheckWithFlippedBitAsync(sample, etc, new Random(MalformedInput.Seed));

        Assert.Equal(
            new[] { $"{sample.Snapshots[0].Label}: /etc (directory listing lost)", $"{sample.Snapshots[1].Label}: /etc (directory listing lost)" }
                .Order(StringComparer.Ordinal),
            CheckerTests.Affected(report));
        Assert.Contains(report.Errors, e => e.Object == $"tree {etc}");
    }

    /// <summary>Flips one random bit inside the blob's envelope, runs a full check, and puts the pack back.</summary>
    private static async Task<CheckReport> CheckWithFlippedBitAsync(SampleRepository sample, ObjectId blob, Random random)
    {
        using var repository = await TestRepository.OpenAsync(sample.Store);
        Assert.True(repository.Index.TryGet(blob, out var location));
        var pack = BlobName.For(BlobKind.Pack, location.PackId);
        var original = await sample.Store.GetAsync(pack, Ct);
        var damaged = original.ToArray();
        var bit = (location.Entry.Offset * 8L) + random.NextInt64(location.Entry.StoredLength * 8L);
        damaged[bit / 8] ^= (byte)(1 << (int)(bit % 8));
        await sample.Store.PutAsync(pack, damaged, Ct);
        try
        {
            var report = await CheckerTests.CheckAsync(sample.Store, readData: true);
            Assert.False(report.IsClean);
            Assert.Contains(blob, report.DamagedBlobs);
            Assert.Contains(report.Errors, e => e.Object == pack.ToString() || e.Object.Contains(blob.ToString(), StringComparison.Ordinal));
            return report;
        }
        finally
        {
            await sample.Store.PutAsync(pack, original, Ct);
        }
    }
}
