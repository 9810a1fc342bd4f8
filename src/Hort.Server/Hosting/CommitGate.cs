namespace Hort.Server.Hosting;

/// <summary>
/// Keeps commits and index refreshes apart. A commit holds the gate shared from the moment it checks its references
/// against the in-memory index until its snapshot is written; a refresh holds it alone while it replaces the index.
/// So when a refresh has finished, every commit checked against the old index has written its snapshot (which a prune
/// then sees and keeps the data of), and every later commit checks against the new one: only then may hortd
/// acknowledge a deletion on its lease (format spec 11.5).
/// </summary>
public sealed class CommitGate
{
    private readonly SemaphoreSlim _turnstile = new(1, 1);
    private int _lapsesHandled;
    private readonly Lock _lock = new();
    private int _shared;
    private TaskCompletionSource? _drained;

    /// <summary>
    /// The lease lapses (<see cref="Hort.Repository.Maintenance.RepositoryLease.Lapses"/>) whose consequences hortd has
    /// dealt with by reloading its state; a commit passes this to the lease's check, so after a new lapse nothing is
    /// committed until the reload is done.
    /// </summary>
    public int LeaseLapsesHandled
    {
        get => Volatile.Read(ref _lapsesHandled);
        set => Volatile.Write(ref _lapsesHandled, value);
    }

    /// <summary>Enters shared; waits while a refresh holds or waits for the gate.</summary>
    public async Task<IDisposable> EnterSharedAsync(CancellationToken cancellationToken)
    {
        await _turnstile.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _shared++;
        }

        _turnstile.Release();
        return new Exit(this, exclusive: false);
    }

    /// <summary>Enters alone: new shared holders wait, and this waits until the current ones have left.</summary>
    public async Task<IDisposable> EnterExclusiveAsync(CancellationToken cancellationToken)
    {
        await _turnstile.WaitAsync(cancellationToken).ConfigureAwait(false);
        Task drained;
        lock (_lock)
        {
            _drained = _shared == 0 ? null : new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _drained?.Task ?? Task.CompletedTask;
        }

        try
        {
            await drained.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_lock)
            {
                _drained = null;
            }

            _turnstile.Release();
            throw;
        }

        return new Exit(this, exclusive: true);
    }

    private void LeaveShared()
    {
        lock (_lock)
        {
            if (--_shared == 0)
            {
                _drained?.TrySetResult();
                _drained = null;
            }
        }
    }

    private sealed class Exit(CommitGate gate, bool exclusive) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) != 0) return;
            if (exclusive) gate._turnstile.Release();
            else gate.LeaveShared();
        }
    }
}
