using System.Security.Cryptography;
using Hort.Core;
using Hort.Storage;

namespace Hort.Repository.Maintenance;

/// <summary>
/// Who holds a lease: a process on a machine. <see cref="Instance"/> tells apart machines (or containers) that share
/// a host name, so that a process can be judged gone only where its process ID means the same process.
/// </summary>
public sealed record LeaseOwner(string Hostname, int Pid, string Instance = "")
{
    /// <summary>This process, without an instance.</summary>
    public static LeaseOwner Current => new(Environment.MachineName, Environment.ProcessId);
}

/// <summary>How leases are kept alive and when one counts as abandoned.</summary>
public sealed record LeaseOptions
{
    /// <summary>How often a holder rewrites its lease.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A lease not refreshed for this long is abandoned (its holder crashed or lost the storage).</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// True when the holder is known to be gone without waiting for <see cref="StaleAfter"/> — for instance a
    /// process on this machine that no longer runs. Null: only age counts.
    /// </summary>
    public Func<LeaseOwner, bool>? IsHolderGone { get; init; }
}

/// <summary>A lease or lock as found in the store: its name, and its content unless that could not be read.</summary>
public sealed record LeaseView(BlobName Name, LeaseOwner? Owner, string Purpose, DateTimeOffset Refreshed, IReadOnlySet<ObjectId> SeenDeletions, string? Problem)
{
    /// <summary>
    /// True when the holder has stopped: the lease was not refreshed for <see cref="LeaseOptions.StaleAfter"/>, or its
    /// holder is known to be gone. A lease that cannot be read is never over (it is reported instead).
    /// </summary>
    public bool IsOver(DateTimeOffset now, LeaseOptions options) =>
        Owner is not null && (now - Refreshed > options.StaleAfter || options.IsHolderGone?.Invoke(Owner) == true);

    public override string ToString() => Problem is not null
        ? $"{Name} (unreadable: {Problem})"
        : $"{Name} ({Purpose} by {Owner!.Hostname} pid {Owner.Pid}, refreshed {Refreshed:u})";
}

/// <summary>
/// A lease (<see cref="BlobKind.Lease"/>, held by a backup) or a lock (<see cref="BlobKind.Lock"/>, held by prune):
/// an encrypted object under a random name, rewritten every <see cref="LeaseOptions.RefreshInterval"/> and removed
/// when disposed. A holder killed at any moment leaves it behind; it then goes stale by itself, so nobody ever has to
/// unlock anything.
/// </summary>
public sealed class RepositoryLease : IAsyncDisposable
{
    private readonly HortRepository _repository;
    private readonly LeaseOptions _options;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly LeaseDocument _document;
    private ITimer? _timer;
    private readonly Lock _gap = new();
    private DateTimeOffset _lastWritten;
    private DateTimeOffset _lapseCountedFor;
    private int _lapses;
    private Exception? _refreshFailure;

    private RepositoryLease(HortRepository repository, BlobName name, LeaseDocument document, LeaseOptions options)
    {
        _repository = repository;
        Name = name;
        _document = document;
        _options = options;
    }

    public BlobName Name { get; }

    /// <summary>Writes a new lease (or lock) and starts refreshing it.</summary>
    public static async Task<RepositoryLease> AcquireAsync(
        HortRepository repository, BlobKind kind, LeaseOwner owner, string purpose, LeaseOptions options, CancellationToken cancellationToken)
    {
        var now = repository.Time.GetUtcNow();
        var document = new LeaseDocument
        {
            Hostname = owner.Hostname, Pid = owner.Pid, Instance = owner.Instance, Purpose = purpose, Started = now, Refreshed = now, SeenDeletions = [],
        };
        var lease = new RepositoryLease(repository, new BlobName(kind, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))), document, options);
        await lease.WriteAsync(cancellationToken).ConfigureAwait(false);
        lease._timer = repository.Time.CreateTimer(static s => ((RepositoryLease)s!).RefreshInBackground(), lease, options.RefreshInterval, options.RefreshInterval);
        return lease;
    }

    /// <summary>
    /// Records the deletion records this holder has taken into account (it treats their packs as absent), so that
    /// prune need not wait for it.
    /// </summary>
    public async Task AcknowledgeAsync(IReadOnlyList<ObjectId> deletions, CancellationToken cancellationToken)
    {
        _document.SeenDeletions = [.. deletions.Select(static d => d.ToString())];
        await WriteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// How many times this lease has lapsed: gone more than half of <see cref="LeaseOptions.StaleAfter"/> without a
    /// successful write (a suspended machine, a storage that was away). During a lapse a prune may have judged the
    /// lease stale and deleted packs its holder relies on, so a holder that keeps state across a lapse (an index in
    /// memory, an open backup) must drop that state before it commits anything again.
    /// </summary>
    public int Lapses
    {
        get
        {
            lock (_gap)
            {
                return _lapses;
            }
        }
    }

    /// <summary>
    /// Throws unless the lease has been kept fresh the whole time since it was acquired (format spec section 11.5,
    /// backup step 6) — call right before committing work that relies on it. A lapse is never repaired by writing the
    /// lease again: the work done under it is not committed.
    /// </summary>
    public Task EnsureHeldAsync(CancellationToken cancellationToken) => EnsureHeldAsync(0, cancellationToken);

    /// <summary>
    /// As <see cref="EnsureHeldAsync(CancellationToken)"/>, for a long-lived holder whose work began when
    /// <see cref="Lapses"/> was <paramref name="lapsesAtStart"/>: throws if the lease has lapsed since then or is
    /// lapsing now.
    /// </summary>
    public Task EnsureHeldAsync(int lapsesAtStart, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        // The timer fell behind or the store failed: the lease is too old to rely on. Count the lapse now, so the
        // next write does not hide it.
        NoteGap(_repository.Time.GetUtcNow());
        if (Lapses != lapsesAtStart)
        {
            throw new HortException(
                $"the lease {Name} was not kept fresh (not written for more than {(_options.StaleAfter / 2).TotalMinutes:0} minutes), so a prune may have deleted data this work relies on; nothing was committed",
                _refreshFailure);
        }

        return Task.CompletedTask;
    }

    /// <summary>Counts a lapse if the lease has not been written for too long at <paramref name="now"/>, once per gap.</summary>
    private void NoteGap(DateTimeOffset now)
    {
        lock (_gap)
        {
            if (_lastWritten != default && _lapseCountedFor != _lastWritten && now - _lastWritten > _options.StaleAfter / 2)
            {
                _lapseCountedFor = _lastWritten;
                _lapses++;
            }
        }
    }

    private void RefreshInBackground() => _ = RefreshAsync();

    private async Task RefreshAsync()
    {
        try
        {
            await WriteAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // A failed refresh is retried at the next tick; EnsureHeldAsync reports it if it never recovers.
            _refreshFailure = e;
        }
    }

    private async Task WriteAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _repository.Time.GetUtcNow();
            _document.Refreshed = now;
            var stored = MaintenanceCodec.Seal(_repository.Codec.Cipher, _document, MaintenanceJsonContext.Default.LeaseDocument, MaintenanceCodec.LeaseContext);
            await _repository.Store.PutAsync(Name, stored, cancellationToken).ConfigureAwait(false);
            NoteGap(now);
            lock (_gap)
            {
                _lastWritten = now;
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>Stops refreshing and removes the lease.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_timer is not null)
        {
            await _timer.DisposeAsync().ConfigureAwait(false);
        }

        await _writing.WaitAsync().ConfigureAwait(false);
        try
        {
            await _repository.Store.DeleteAsync(Name).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HortException or UnauthorizedAccessException)
        {
            // The lease could not be removed (the storage failed, which is often why we are stopping); it goes stale
            // by itself and blocks nothing after that. The caller's own error is the one worth reporting.
        }
        finally
        {
            _writing.Release();
            _writing.Dispose();
        }
    }

    /// <summary>Every lease (or lock) in the store, read; one that cannot be read is returned with its problem.</summary>
    public static async Task<IReadOnlyList<LeaseView>> ListAsync(HortRepository repository, BlobKind kind, CancellationToken cancellationToken)
    {
        var list = new List<LeaseView>();
        await foreach (var info in repository.Store.ListAsync(kind, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var stored = await repository.Store.GetAsync(info.Name, cancellationToken).ConfigureAwait(false);
                var doc = MaintenanceCodec.Open(repository.Codec.Cipher, stored, MaintenanceJsonContext.Default.LeaseDocument,
                    MaintenanceCodec.LeaseContext, info.Name.ToString());
                var seen = new HashSet<ObjectId>();
                foreach (var d in doc.SeenDeletions ?? [])
                {
                    seen.Add(MaintenanceCodec.ParseId(d, info.Name.ToString(), "a seen deletion record"));
                }

                list.Add(new LeaseView(info.Name, new LeaseOwner(doc.Hostname ?? "", doc.Pid, doc.Instance ?? ""), doc.Purpose ?? "", doc.Refreshed, seen, null));
            }
            catch (BlobNotFoundException)
            {
                // Ended while we listed.
            }
            catch (Exception e) when (e is RepositoryCorruptException or UnsupportedFormatException)
            {
                // Damaged content, or a newer program's lease: it counts as held, and is named.
                list.Add(new LeaseView(info.Name, null, "", default, new HashSet<ObjectId>(), e.Message));
            }
        }

        return list;
    }
}
