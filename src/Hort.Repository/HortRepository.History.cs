using Hort.Core;
using Hort.Repository.Maintenance;
using Hort.Repository.Retention;
using Hort.Repository.Snapshots;
using Hort.Storage;

namespace Hort.Repository;

/// <summary>Forgetting is refused because the history lock protects some of the snapshots; nothing was deleted.</summary>
public sealed class HistoryLockedException(string message, IReadOnlyList<ObjectId> snapshots) : HortException(message)
{
    /// <summary>The protected snapshots that were asked to be forgotten.</summary>
    public IReadOnlyList<ObjectId> Snapshots { get; } = snapshots;
}

public sealed partial class HortRepository
{
    private const string HistoryLockSetting = "history-lock";

    /// <summary>
    /// The history lock now: every request ever made, evaluated at the current time. A record that cannot be read
    /// is an error, so that damage can never switch the lock off.
    /// </summary>
    public async Task<HistoryLockState> ReadHistoryLockAsync(CancellationToken cancellationToken = default)
    {
        var records = new List<HistoryLockRecord>();
        await foreach (var (id, info) in ListObjectsAsync(BlobKind.Setting, cancellationToken).ConfigureAwait(false))
        {
            var stored = await GetVerifiedAsync(BlobKind.Setting, id, cancellationToken).ConfigureAwait(false);
            var doc = MaintenanceCodec.Open(Codec.Cipher, stored, MaintenanceJsonContext.Default.SettingDocument,
                MaintenanceCodec.SettingContext, info.Name.ToString());
            if (doc.Setting != HistoryLockSetting)
            {
                throw new UnsupportedFormatException($"{info.Name}: unknown setting '{doc.Setting}'; upgrade hort");
            }

            if (doc.Days is < 0 or > HistoryLock.MaxDays)
            {
                throw new RepositoryCorruptException(info.Name.ToString(), $"history lock of {doc.Days} days is out of range");
            }

            records.Add(new HistoryLockRecord(doc.Days, doc.Requested, doc.Hostname ?? "", doc.Username ?? ""));
        }

        return HistoryLock.Evaluate(records, Time.GetUtcNow());
    }

    /// <summary>
    /// Requests a history lock of <paramref name="days"/> (0 removes it). Raising takes effect at once; lowering only
    /// once the period locked before has passed (see <see cref="HistoryLock"/>). Returns the state afterwards.
    /// </summary>
    public async Task<HistoryLockState> SetHistoryLockAsync(int days, string hostname, string username, CancellationToken cancellationToken = default)
    {
        if (days is < 0 or > HistoryLock.MaxDays)
        {
            throw new HortException($"a history lock must be 0 to {HistoryLock.MaxDays} days");
        }

        var doc = new SettingDocument
        {
            Setting = HistoryLockSetting, Days = days, Requested = Time.GetUtcNow(), Hostname = hostname, Username = username,
        };
        var stored = MaintenanceCodec.Seal(Codec.Cipher, doc, MaintenanceJsonContext.Default.SettingDocument, MaintenanceCodec.SettingContext);
        await PutContentAddressedAsync(Store, BlobKind.Setting, stored, cancellationToken).ConfigureAwait(false);
        return await ReadHistoryLockAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Deletes snapshot objects (their data stays until prune). Refuses all of them, deleting none, when the history
    /// lock protects any: <paramref name="timeOf"/> gives the time a snapshot is judged by (default: its own time).
    /// </summary>
    public async Task ForgetSnapshotsAsync(
        IReadOnlyList<StoredSnapshot> snapshots, Func<StoredSnapshot, DateTimeOffset>? timeOf = null, CancellationToken cancellationToken = default)
    {
        timeOf ??= static s => s.Snapshot.Time;
        var state = await ReadHistoryLockAsync(cancellationToken).ConfigureAwait(false);
        var now = Time.GetUtcNow();
        var locked = snapshots.Where(s => state.Protects(timeOf(s), now)).Select(s => s.Id).ToList();
        if (locked.Count > 0)
        {
            throw new HistoryLockedException(
                $"the history lock ({state.EffectiveDays} days) protects {locked.Count} of these snapshots " +
                $"({string.Join(", ", locked.Take(5).Select(id => id.ToShortString()))}{(locked.Count > 5 ? ", …" : "")}); nothing was forgotten",
                locked);
        }

        foreach (var s in snapshots)
        {
            await Store.DeleteAsync(BlobName.For(BlobKind.Snapshot, s.Id), cancellationToken).ConfigureAwait(false);
        }
    }
}
