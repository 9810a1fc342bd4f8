using Hort.Repository.Maintenance;
using Hort.Repository.Tests.RepositoryApi;
using Hort.Storage;

namespace Hort.Repository.Tests.Maintenance;

/// <summary>
/// Format spec 11.5, backup step 6: a writer commits only if its lease was kept fresh the whole time. A lease that went
/// too long without a write may have been judged stale by a prune that then deleted packs, so writing it again late
/// must not make the work under it committable.
/// </summary>
public sealed class LeaseLapseTests
{
    private static readonly LeaseOptions Options = new() { RefreshInterval = TimeSpan.FromMinutes(5), StaleAfter = TimeSpan.FromMinutes(30) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_lease_refreshed_on_time_stays_held_however_long_the_work_runs()
    {
        var clock = new SteppedClock();
        using var repository = await TestRepository.InitAsync(new InMemoryBlobStore(), clock);
        await using var lease = await RepositoryLease.AcquireAsync(repository, BlobKind.Lease, LeaseOwner.Current, "backup", Options, Ct);

        for (var i = 0; i < 24; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(5));
        }

        await lease.EnsureHeldAsync(Ct);
        Assert.Equal(0, lease.Lapses);
    }

    [Fact]
    public async Task A_lease_whose_refreshes_came_late_is_not_held_even_after_it_was_written_again()
    {
        var clock = new SteppedClock();
        using var repository = await TestRepository.InitAsync(new InMemoryBlobStore(), clock);
        await using var lease = await RepositoryLease.AcquireAsync(repository, BlobKind.Lease, LeaseOwner.Current, "backup", Options, Ct);

        // A suspended machine: no refresh for 40 minutes, then the timer catches up and writes the lease again.
        clock.Advance(TimeSpan.FromMinutes(40));
        clock.Advance(TimeSpan.FromMinutes(5));

        var e = await Assert.ThrowsAsync<Hort.Core.HortException>(() => lease.EnsureHeldAsync(Ct));
        Assert.Contains("nothing was committed", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, lease.Lapses);

        // A long-lived holder that dropped its state at the lapse may start new work and commit it.
        var lapsesAtStart = lease.Lapses;
        clock.Advance(TimeSpan.FromMinutes(5));
        await lease.EnsureHeldAsync(lapsesAtStart, Ct);
        Assert.Equal(1, lease.Lapses);
    }

    [Fact]
    public async Task A_lease_not_written_for_more_than_half_the_stale_time_is_not_held_and_the_next_write_counts_no_second_lapse()
    {
        var clock = new SteppedClock { TimersStopped = true };
        using var repository = await TestRepository.InitAsync(new InMemoryBlobStore(), clock);
        await using var lease = await RepositoryLease.AcquireAsync(repository, BlobKind.Lease, LeaseOwner.Current, "backup", Options, Ct);

        clock.Advance(TimeSpan.FromMinutes(16));

        await Assert.ThrowsAsync<Hort.Core.HortException>(() => lease.EnsureHeldAsync(Ct));
        Assert.Equal(1, lease.Lapses);

        clock.TimersStopped = false;
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, lease.Lapses);
        await Assert.ThrowsAsync<Hort.Core.HortException>(() => lease.EnsureHeldAsync(Ct));
        await lease.EnsureHeldAsync(1, Ct);
    }

    [Fact]
    public async Task A_lease_whose_writes_fail_for_too_long_is_not_held_once_the_store_is_back()
    {
        var clock = new SteppedClock();
        var faults = new FaultInjectingBlobStore(new InMemoryBlobStore());
        using var repository = await TestRepository.InitAsync(faults, clock);
        await using var lease = await RepositoryLease.AcquireAsync(repository, BlobKind.Lease, LeaseOwner.Current, "backup", Options, Ct);

        faults.Options = new FaultInjectionOptions { FailAt = faults.OperationCount + 1, KeepFailing = true };
        for (var i = 0; i < 4; i++)
        {
            clock.Advance(TimeSpan.FromMinutes(5));
        }

        faults.Options = FaultInjectionOptions.None;
        clock.Advance(TimeSpan.FromMinutes(5));

        await Assert.ThrowsAsync<Hort.Core.HortException>(() => lease.EnsureHeldAsync(Ct));
    }

    /// <summary>
    /// A clock moved by the test. Timers fire when their time comes during <see cref="Advance"/>, at most once per call
    /// (as a late timer of a suspended machine does). Over an in-memory store a lease write completes within the call.
    /// </summary>
    private sealed class SteppedClock : TimeProvider
    {
        private readonly List<SteppedTimer> _timers = [];
        private DateTimeOffset _now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

        public bool TimersStopped { get; set; }

        public override DateTimeOffset GetUtcNow() => _now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new SteppedTimer(this, callback, state, _now + dueTime, period);
            lock (_timers)
            {
                _timers.Add(timer);
            }

            return timer;
        }

        public void Advance(TimeSpan by)
        {
            _now += by;
            SteppedTimer[] due;
            lock (_timers)
            {
                due = [.. _timers.Where(t => t.Due <= _now)];
            }

            if (TimersStopped)
            {
                return;
            }

            foreach (var timer in due)
            {
                timer.Due = _now + timer.Period;
                timer.Fire();
            }
        }

        public void Remove(SteppedTimer timer)
        {
            lock (_timers)
            {
                _timers.Remove(timer);
            }
        }
    }

    private sealed class SteppedTimer(SteppedClock clock, TimerCallback callback, object? state, DateTimeOffset due, TimeSpan period) : ITimer
    {
        public DateTimeOffset Due { get; set; } = due;

        public TimeSpan Period => period;

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => throw new NotSupportedException();

        public void Dispose() => clock.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
