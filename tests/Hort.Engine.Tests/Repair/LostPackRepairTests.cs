using Hort.Core;
using Hort.Repository.Checking;
using Hort.Repository.Repair;
using Hort.Repository.Snapshots;
using Hort.Storage;

namespace Hort.Engine.Tests.Repair;

/// <summary>
/// Lost packs, then <c>repair</c>: every file the surviving packs can still supply restores byte-identical, the damaged
/// snapshots are marked with exactly the lost paths, check is clean, and the next backup heals the files that still exist.
/// CI runs <see cref="DefaultRounds"/> rounds; <c>HORT_REPAIR_ROUNDS=N</c> runs more (see docs/reliability.md).
/// </summary>
public sealed class LostPackRepairTests
{
    private const int DefaultRounds = 3;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static int Rounds => DamageScenario.CountFromEnvironment("HORT_REPAIR_ROUNDS", DefaultRounds);

    [Fact]
    public async Task After_losing_packs_repair_keeps_everything_restorable_marks_the_rest_and_the_next_backup_heals()
    {
        var totals = new int[4]; // packs deleted, files lost, files healed, files restored intact
        for (var round = 0; round < Rounds; round++)
        {
            var counts = await RunRoundAsync(round);
            for (var i = 0; i < totals.Length; i++) totals[i] += counts[i];
        }

        TestContext.Current.SendDiagnosticMessage(
            $"{Rounds} round(s): {totals[0]} packs deleted, {totals[1]} snapshot files lost, {totals[2]} files healed by the next backup, {totals[3]} files restored byte-identical");
        Assert.True(totals[1] > 0, "no round lost any file; the scenario does not test anything");
    }

    private static async Task<int[]> RunRoundAsync(int round)
    {
        using var scenario = await DamageScenario.CreateAsync(1000 + round);
        var random = new Random(round);
        var packs = scenario.PackOf.Values.Distinct().Order().ToList();
        var doomed = packs.OrderBy(_ => random.Next()).Take(1 + random.Next(Math.Min(4, packs.Count - 1))).ToHashSet();
        foreach (var pack in doomed)
        {
            await scenario.Store.DeleteAsync(BlobName.For(BlobKind.Pack, pack), Ct);
        }

        var available = scenario.PackOf.Where(p => !doomed.Contains(p.Value)).Select(p => p.Key).ToHashSet();
        var context = $"round {round} (deleted {string.Join(", ", doomed.Select(p => p.ToShortString()))})";

        // Repair, then check: clean, with exactly the predicted marks.
        RepairReport report;
        using (var repository = await DamageScenario.OpenRepositoryWithoutIndexAsync(scenario.Store))
        {
            report = await new Repairer(repository).RunAsync(new RepairOptions(), Ct);
        }

        var expected = scenario.ExpectedMarks(available);
        var marked = report.DamagedSnapshots.ToDictionary(d => d.Snapshot, d => d.Paths.Order(StringComparer.Ordinal).ToList());
        Assert.Equal(expected.Keys.Order(), marked.Keys.Order());
        foreach (var (snapshot, paths) in expected)
        {
            Assert.True(paths.Order(StringComparer.Ordinal).SequenceEqual(marked[snapshot]),
                $"{context}: snapshot {snapshot.ToShortString()} marked\n  {string.Join("\n  ", marked[snapshot])}\nexpected\n  {string.Join("\n  ", paths)}");
        }

        var lostFiles = 0;
        var intactFiles = 0;
        using (var repository = await scenario.OpenAsync())
        {
            var check = await new Checker(repository).RunAsync(new CheckOptions { ReadData = true }, Ct);
            Assert.True(check.IsClean, $"{context}: check after repair is not clean:\n" + string.Join("\n", check.Errors.Select(e => $"{e.Object}: {e.Description}")));
            Assert.Equal(expected.Count, check.DamagedSnapshots.Count);

            // Every file the surviving packs hold restores byte-identical; nothing is silently wrong.
            foreach (var (snapshot, files) in scenario.Snapshots)
            {
                var (target, issues) = await scenario.RestoreAsync(repository, snapshot);
                var intact = DamageScenario.AssertNothingSilentlyWrong(target, files, issues, context);
                var restorable = scenario.Restorable(snapshot, available);
                Assert.True(restorable.IsSubsetOf(intact), $"{context}: restorable but not restored: {string.Join(", ", restorable.Except(intact))}");
                lostFiles += files.Count - restorable.Count;
                intactFiles += intact.Count;
            }
        }

        // The next backup heals: one lost file is gone from the source for good, the others still exist.
        var current = scenario.CurrentFiles();
        var latestLost = current.Keys.Where(p => !scenario.Restorable(scenario.Snapshots[^1].Snapshot, available).Contains(p)).Order(StringComparer.Ordinal).ToList();
        if (latestLost.Count > 0)
        {
            File.Delete(latestLost[0]);
            current.Remove(latestLost[0]);
        }

        using (var repository = await scenario.OpenAsync())
        {
            var healed = await scenario.BackupAsync(repository);
            Assert.Empty(healed.Issues);
            var (target, issues) = await scenario.RestoreAsync(repository, new StoredSnapshot(healed.SnapshotId, healed.Snapshot));
            Assert.NotNull(issues);
            Assert.Empty(issues);
            var intact = DamageScenario.AssertNothingSilentlyWrong(target, current, issues, context + ", healing backup");
            Assert.Equal(current.Keys.Order(StringComparer.Ordinal), intact.Order(StringComparer.Ordinal));
            var check = await new Checker(repository).RunAsync(new CheckOptions { ReadData = true }, Ct);
            Assert.True(check.IsClean, $"{context}: check after the healing backup is not clean");
        }

        // A second repair sees the re-uploaded data: no mark grows, and the healed snapshot has none.
        using (var repository = await DamageScenario.OpenRepositoryWithoutIndexAsync(scenario.Store))
        {
            var again = await new Repairer(repository).RunAsync(new RepairOptions(), Ct);
            Assert.Equal(0, again.PacksDamaged);
            foreach (var d in again.DamagedSnapshots)
            {
                Assert.True(expected.TryGetValue(d.Snapshot, out var before) && d.Paths.Count <= before.Count, $"{context}: the mark of {d.Snapshot.ToShortString()} grew");
            }

            Assert.True(again.DamagedSnapshots.Count <= expected.Count);
        }

        return [doomed.Count, lostFiles, latestLost.Count - (latestLost.Count > 0 ? 1 : 0), intactFiles];
    }
}
