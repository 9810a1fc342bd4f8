namespace Hort.Cli.Tests;

/// <summary>Short-lived garbage is collected after about <see cref="YoungGenerationCap.Budget"/> bytes, whatever the CPU's cache size.</summary>
public sealed class YoungGenerationCapTests
{
    [Fact]
    public async Task Allocating_many_budgets_of_garbage_sees_a_gen0_collection_for_each()
    {
        using var cap = YoungGenerationCap.Start();
        var before = GC.CollectionCount(0);
        const int rounds = 6;
        for (var round = 0; round < rounds; round++)
        {
            // Twice the budget in small arrays that die at once, then give the cap a moment to look.
            for (long made = 0; made < 2 * YoungGenerationCap.Budget; made += 4096)
            {
                GC.KeepAlive(new byte[4096]);
            }

            await Task.Delay(300, TestContext.Current.CancellationToken);
        }

        // Either the runtime collected by itself (a small gen0 budget) or the cap asked: at least once per round.
        Assert.True(GC.CollectionCount(0) - before >= rounds, $"{GC.CollectionCount(0) - before} gen0 collections for {rounds} rounds");
    }
}
