namespace Hort.Cli;

/// <summary>
/// Keeps the garbage collector's youngest generation small while hort runs. The runtime sizes its gen0 budget from the
/// CPU's last-level cache; on virtual machines that report hundreds of MiB of L3 it lets gen0 grow by that much before
/// it collects, so short-lived garbage alone raised a backup's peak memory by tens of MiB. The runtime offers no
/// setting for this outside environment variables, so hort asks for a gen0 collection itself whenever more than
/// <see cref="Budget"/> bytes were allocated since the last one. Gen0 collections cost little when almost nothing
/// survives, which is the case between two checks.
/// </summary>
internal sealed class YoungGenerationCap : IDisposable
{
    /// <summary>Bytes allocated between two gen0 collections at most (plus what one check interval allocates).</summary>
    public const long Budget = 8L << 20;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly Timer _timer;
    private long _allocatedAtLastCollection;
    private int _collectionsSeen;

    private YoungGenerationCap()
    {
        _allocatedAtLastCollection = GC.GetTotalAllocatedBytes();
        _collectionsSeen = GC.CollectionCount(0);
        _timer = new Timer(static state => ((YoungGenerationCap)state!).Check(), this, Interval, Interval);
    }

    public static YoungGenerationCap Start() => new();

    /// <summary>How many collections this cap asked for (for tests and diagnostics).</summary>
    public int Requested { get; private set; }

    private void Check()
    {
        var allocated = GC.GetTotalAllocatedBytes();
        var collections = GC.CollectionCount(0);
        if (collections != _collectionsSeen)
        {
            // The runtime collected by itself since the last look: count from here.
            _collectionsSeen = collections;
            _allocatedAtLastCollection = allocated;
            return;
        }

        if (allocated - _allocatedAtLastCollection < Budget) return;
        GC.Collect(0, GCCollectionMode.Forced, blocking: true, compacting: false);
        Requested++;
        _collectionsSeen = GC.CollectionCount(0);
        _allocatedAtLastCollection = GC.GetTotalAllocatedBytes();
    }

    public void Dispose() => _timer.Dispose();
}
