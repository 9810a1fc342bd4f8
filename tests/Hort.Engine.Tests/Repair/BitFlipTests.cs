using Hort.Core;
using Hort.Repository;
using Hort.Repository.Checking;
using Hort.Repository.Format;
using Hort.Repository.Packs;
using Hort.Repository.Snapshots;
using Hort.Storage;

namespace Hort.Engine.Tests.Repair;

/// <summary>
/// One flipped bit in any stored object — config, key, index, snapshot, pack magic, data blob, tree blob, pack header,
/// trailer — is found by check at the level that reads it, and no restore writes wrong bytes without naming the file.
/// CI flips <see cref="DefaultBitsPerObject"/> random bits per object of one repository plus one in every region of a
/// few packs; <c>HORT_BITFLIPS=N</c> flips N per object and <c>HORT_BITFLIP_SCENARIOS=M</c> does so in M repositories
/// (see docs/reliability.md).
/// </summary>
public sealed class BitFlipTests
{
    private const int DefaultBitsPerObject = 2;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int BitsPerObject => DamageScenario.CountFromEnvironment("HORT_BITFLIPS", DefaultBitsPerObject);

    /// <summary>Repositories (each with other data, so other objects) to flip bits in; HORT_BITFLIP_SCENARIOS for more.</summary>
    private static int Scenarios => DamageScenario.CountFromEnvironment("HORT_BITFLIP_SCENARIOS", 1);

    private enum Level
    {
        Open,
        Structure,
        ReadData,
    }

    [Fact]
    public async Task Every_flipped_bit_is_found_by_check_at_its_level_and_no_restore_is_silently_wrong()
    {
        var counts = new Dictionary<Level, int>();
        var objects = 0;
        for (var s = 0; s < Scenarios; s++)
        {
            objects += await FlipEverythingAsync(77 + s, counts);
        }

        TestContext.Current.SendDiagnosticMessage(
            $"{counts.Values.Sum()} bit flips in {objects} objects of {Scenarios} repositories: {string.Join(", ", counts.Select(c => $"{c.Value} found by {c.Key}"))}; all detected, no restore silently wrong");
        Assert.True(counts.GetValueOrDefault(Level.Structure) > 0 && counts.GetValueOrDefault(Level.ReadData) > 0);
    }

    /// <summary>Flips bits in every object of one scenario's repository; returns how many objects it has.</summary>
    private static async Task<int> FlipEverythingAsync(int seed, Dictionary<Level, int> counts)
    {
        using var scenario = await DamageScenario.CreateAsync(seed);
        var store = scenario.Store;
        var random = new Random(seed);
        var flips = new List<(BlobName Name, long Bit)>();
        var objects = new List<BlobInfo>();
        foreach (var kind in Enum.GetValues<BlobKind>())
        {
            await foreach (var info in store.ListAsync(kind, Ct))
            {
                objects.Add(info);
            }
        }

        foreach (var info in objects)
        {
            for (var i = 0; i < BitsPerObject; i++)
            {
                flips.Add((info.Name, random.NextInt64(info.Length * 8)));
            }
        }

        // Every region of three packs: magic, first blob, a tree blob, the header envelope, the trailer.
        using (var repository = await scenario.OpenAsync())
        {
            foreach (var info in objects.Where(o => o.Name.Kind == BlobKind.Pack).Take(3))
            {
                var entries = await HeaderAsync(repository, info);
                flips.Add((info.Name, 3));
                flips.Add((info.Name, (entries[0].Offset * 8L) + 100));
                if (entries.FirstOrDefault(e => e.Type == BlobType.Tree) is { StoredLength: > 0 } tree)
                {
                    flips.Add((info.Name, (tree.Offset + (tree.StoredLength / 2)) * 8L));
                }

                flips.Add((info.Name, (info.Length - 30) * 8L));
                flips.Add((info.Name, (info.Length - 2) * 8L));
            }
        }

        foreach (var (name, bit) in flips)
        {
            var original = await store.GetAsync(name, Ct);
            var level = await LevelOfAsync(scenario, name, bit);
            counts[level] = counts.GetValueOrDefault(level) + 1;
            var damaged = original.ToArray();
            damaged[bit / 8] ^= (byte)(1 << (int)(bit % 8));
            await store.PutAsync(name, damaged, Ct);
            try
            {
                await AssertDetectedAndNeverSilentlyWrongAsync(scenario, name, bit, level);
            }
            finally
            {
                await store.PutAsync(name, original, Ct);
            }
        }

        return objects.Count;
    }

    private static async Task AssertDetectedAndNeverSilentlyWrongAsync(DamageScenario scenario, BlobName name, long bit, Level level)
    {
        var context = $"bit {bit} of {name}";
        if (level == Level.Open)
        {
            await Assert.ThrowsAnyAsync<HortException>(() => HortRepository.OpenAsync(scenario.Store, DamageScenario.Password, cancellationToken: Ct));
            return;
        }

        if (name.Kind == BlobKind.Key)
        {
            // The only key: either it no longer opens (a clear failure), or the flip hit a field unwrapping does not
            // need, and check still sees that the file does not match its name.
            HortRepository opened;
            try
            {
                opened = await DamageScenario.OpenRepositoryWithoutIndexAsync(scenario.Store);
            }
            catch (HortException)
            {
                return;
            }

            using (opened)
            {
                Assert.False((await new Checker(opened).RunAsync(new CheckOptions(), Ct)).IsClean, $"{context}: the structure check did not notice");
            }

            return;
        }

        using (var repository = await DamageScenario.OpenRepositoryWithoutIndexAsync(scenario.Store))
        {
            var structure = await new Checker(repository).RunAsync(new CheckOptions(), Ct);
            Assert.True(level != Level.Structure || !structure.IsClean, $"{context}: the structure check did not notice");
        }

        using (var repository = await DamageScenario.OpenRepositoryWithoutIndexAsync(scenario.Store))
        {
            var full = await new Checker(repository).RunAsync(new CheckOptions { ReadData = true }, Ct);
            Assert.False(full.IsClean, $"{context}: check --read-data did not notice");
        }

        HortRepository reader;
        try
        {
            reader = await scenario.OpenAsync();
        }
        catch (HortException)
        {
            return; // a damaged index file: readers refuse to start, which is a clear failure
        }

        using (reader)
        {
            foreach (var (snapshot, files) in scenario.Snapshots)
            {
                StoredSnapshot loaded;
                try
                {
                    loaded = new StoredSnapshot(snapshot.Id, await reader.LoadSnapshotAsync(snapshot.Id, Ct));
                }
                catch (HortException)
                {
                    continue;
                }

                var (target, issues) = await scenario.RestoreAsync(reader, loaded);
                DamageScenario.AssertNothingSilentlyWrong(target, files, issues, context);
                Support.ScratchDirectory.RemoveTree(System.Text.Encoding.UTF8.GetBytes(target));
            }
        }
    }

    /// <summary>The cheapest check level that must see a flip of this bit.</summary>
    private static async Task<Level> LevelOfAsync(DamageScenario scenario, BlobName name, long bit)
    {
        switch (name.Kind)
        {
            case BlobKind.Config:
                return Level.Open;
            case BlobKind.Pack:
                using (var repository = await scenario.OpenAsync())
                {
                    var info = (await scenario.Store.StatAsync(name, Ct))!;
                    var offset = bit / 8;
                    var entry = (await HeaderAsync(repository, info)).FirstOrDefault(e => offset >= e.Offset && offset < e.Offset + e.StoredLength);
                    return entry.StoredLength > 0 && entry.Type == BlobType.Tree ? Level.Structure : Level.ReadData;
                }

            default:
                return Level.Structure;
        }
    }

    private static async Task<IReadOnlyList<PackEntry>> HeaderAsync(HortRepository repository, BlobInfo pack) =>
        await PackReader.ReadHeaderAsync(repository.Store, repository.Codec.Cipher, ObjectId.Parse(pack.Name.Name), pack.Length, Ct);
}
