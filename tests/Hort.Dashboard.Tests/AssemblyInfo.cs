using Hort.Dashboard.Tests.Support;

// One browser for all tests. The tests run one after another: they share one hortd and its agent, and the machine
// they run on has few cores.
[assembly: AssemblyFixture(typeof(Chromium))]
[assembly: CollectionBehavior(DisableTestParallelization = true)]
