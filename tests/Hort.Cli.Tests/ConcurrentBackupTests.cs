using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary>Two hort processes backing up into one repository at the same moment.</summary>
public sealed class ConcurrentBackupTests
{
    [Fact]
    public async Task Two_backups_started_together_both_commit_and_both_restore_byte_identical()
    {
        using var repo = await CliRepository.CreateAsync("concurrent");
        var random = new Random(40);
        var office = repo.Dir.Sub("office");
        var workshop = repo.Dir.Sub("workshop");
        var committed = new Dictionary<string, (string Root, TreeManifest Manifest)>();

        for (var round = 0; round < 2; round++)
        {
            // Both machines hold the same price list and manual (deduplicated between them) plus their own files.
            var shared = new byte[12 << 20];
            random.NextBytes(shared);
            foreach (var root in new[] { office, workshop })
            {
                Directory.CreateDirectory(Path.Combine(root, "shared"));
                File.WriteAllBytes(Path.Combine(root, "shared", $"price-list-{round}.pdf"), shared);
                for (var i = 0; i < 3; i++)
                {
                    RandomFiles.Write(Path.Combine(root, $"round-{round}", $"own-{i}.bin"), 6 << 20, random);
                }

                for (var i = 0; i < 20; i++)
                {
                    RandomFiles.Write(Path.Combine(root, "letters", $"letter-{i}.odt"), random.Next(1, 80_000), random);
                }
            }

            var expected = new[] { TreeManifest.Of(office), TreeManifest.Of(workshop) };
            await using var first = repo.Hort.Start("backup", "--quiet", "--host", "office", office);
            await using var second = repo.Hort.Start("backup", "--quiet", "--host", "workshop", workshop);
            var results = await Task.WhenAll(first.WaitAsync(HortProcess.DefaultTimeout), second.WaitAsync(HortProcess.DefaultTimeout));

            for (var i = 0; i < 2; i++)
            {
                Assert.True(results[i].ExitCode == 0, $"round {round}, backup {i}: {results[i]}");
                committed[Assert.Single(results[i].PrintedIds())] = (i == 0 ? office : workshop, expected[i]);
            }
        }

        Assert.Equal(committed.Keys.Order(), (await repo.SnapshotIdsAsync()).Order());
        var check = await repo.RunAsync("check", "--read-data");
        Assert.True(check.ExitCode == 0, check.ToString());
        Assert.Contains("no errors were found", check.Stdout);

        foreach (var (id, (root, manifest)) in committed)
        {
            var target = await repo.RestoreAsync(id, repo.Dir.Sub("restore-" + id[..8]));
            var restored = TreeManifest.Of(Path.Join(target, root));
            Assert.True(manifest.Equals(restored), $"snapshot {id[..8]} of {root}:\n{manifest.DifferencesFrom(restored)}");
        }
    }
}
