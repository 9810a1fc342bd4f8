using Hort.Core;

namespace Hort.Repository.Indexing;

public sealed partial class BlobIndex
{
    /// <summary>
    /// Makes this index hold what <paramref name="fresh"/> holds plus the packs only this index knows, except those in
    /// <paramref name="dropped"/>, in one step under the lock. A long-running writer uses it after reading the index
    /// files again: blobs its own writers added meanwhile (packs no index file lists yet) are kept, packs a pending
    /// deletion names disappear. The index holds one copy of each blob, so a blob whose copy here was in a dropped pack
    /// is found again only where <paramref name="fresh"/> has it (else it is stored again when next needed).
    /// <paramref name="fresh"/> must not be used afterwards.
    /// </summary>
    public void Rebase(BlobIndex fresh, IReadOnlySet<ObjectId> dropped)
    {
        ArgumentNullException.ThrowIfNull(fresh);
        ArgumentNullException.ThrowIfNull(dropped);
        if (ReferenceEquals(fresh, this))
        {
            throw new ArgumentException("An index cannot be rebased on itself.", nameof(fresh));
        }

        lock (_lock)
        {
            lock (fresh._lock)
            {
                var freshPacks = new HashSet<ObjectId>(fresh._packOrdinals.Keys);
                for (var i = 0; i < _count; i++)
                {
                    var location = LocationOf(in SlotAt(i));
                    if (dropped.Contains(location.PackId) || freshPacks.Contains(location.PackId))
                    {
                        continue;
                    }

                    fresh.CarryLocked(location, _packLengths[_packOrdinals[location.PackId]]);
                }

                _packs.Clear();
                _packs.AddRange(fresh._packs);
                _packLengths.Clear();
                _packLengths.AddRange(fresh._packLengths);
                _packOrdinals.Clear();
                foreach (var (pack, ordinal) in fresh._packOrdinals)
                {
                    _packOrdinals.Add(pack, ordinal);
                }

                _pages.Clear();
                _pages.AddRange(fresh._pages);
                _cells = fresh._cells;
                _count = fresh._count;
            }
        }
    }

    /// <summary>Adds one blob of a pack this index did not know when the carrying began. Caller holds the lock.</summary>
    private void CarryLocked(in BlobLocation location, long packLength)
    {
        if (!_packOrdinals.TryGetValue(location.PackId, out var ordinal))
        {
            ordinal = _packs.Count;
            _packs.Add(location.PackId);
            _packLengths.Add(packLength);
            _packOrdinals.Add(location.PackId, ordinal);
        }

        var hash = Hash(location.Entry.Id);
        if (Find(location.Entry.Id, hash) < 0)
        {
            EnsureRoom(1);
            Insert(new Slot(location.Entry, ordinal), hash);
        }
    }
}
