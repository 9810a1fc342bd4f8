using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Packs;

namespace Hort.Repository.Indexing;

/// <summary>Where one blob is stored: its pack and its entry in that pack.</summary>
public readonly record struct BlobLocation(ObjectId PackId, PackEntry Entry);

/// <summary>
/// The in-memory index: blob ID → pack and position. Thread-safe. A blob present in several packs
/// (after concurrent backups) is found in one of them; every copy is equally valid.
/// </summary>
public sealed class BlobIndex
{
    private readonly Lock _lock = new();
    private readonly List<ObjectId> _packs = [];
    private readonly List<long> _packLengths = [];
    private readonly Dictionary<ObjectId, int> _packOrdinals = [];
    private readonly Dictionary<ObjectId, CompactEntry> _blobs = [];

    /// <summary>Number of distinct blobs.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _blobs.Count;
            }
        }
    }

    /// <summary>Number of packs.</summary>
    public int PackCount
    {
        get
        {
            lock (_lock)
            {
                return _packs.Count;
            }
        }
    }

    /// <summary>Adds every blob of one pack.</summary>
    public void AddPack(ObjectId packId, long packLength, IReadOnlyList<PackEntry> entries)
    {
        lock (_lock)
        {
            if (!_packOrdinals.TryGetValue(packId, out var ordinal))
            {
                ordinal = _packs.Count;
                _packs.Add(packId);
                _packLengths.Add(packLength);
                _packOrdinals.Add(packId, ordinal);
            }

            foreach (var e in entries)
            {
                _blobs.TryAdd(e.Id, new CompactEntry(ordinal, e.Offset, e.StoredLength, e.RawLength, e.Type, e.Compression));
            }
        }
    }

    /// <summary>True when the blob is stored somewhere.</summary>
    public bool Contains(ObjectId id)
    {
        lock (_lock)
        {
            return _blobs.ContainsKey(id);
        }
    }

    /// <summary>Finds a blob's location.</summary>
    public bool TryGet(ObjectId id, out BlobLocation location)
    {
        lock (_lock)
        {
            if (_blobs.TryGetValue(id, out var e))
            {
                location = new BlobLocation(
                    _packs[e.Pack], new PackEntry(e.Type, e.Compression, e.Offset, e.StoredLength, e.RawLength, id));
                return true;
            }
        }

        location = default;
        return false;
    }

    /// <summary>True when the pack is listed by some index.</summary>
    public bool ContainsPack(ObjectId packId)
    {
        lock (_lock)
        {
            return _packOrdinals.ContainsKey(packId);
        }
    }

    /// <summary>Every indexed pack with its length.</summary>
    public IReadOnlyList<(ObjectId PackId, long Length)> Packs()
    {
        lock (_lock)
        {
            var list = new List<(ObjectId, long)>(_packs.Count);
            for (var i = 0; i < _packs.Count; i++)
            {
                list.Add((_packs[i], _packLengths[i]));
            }

            return list;
        }
    }

    /// <summary>Every blob with its location (a copy; safe to enumerate while others add).</summary>
    public IReadOnlyList<BlobLocation> Blobs()
    {
        lock (_lock)
        {
            var list = new List<BlobLocation>(_blobs.Count);
            foreach (var (id, e) in _blobs)
            {
                list.Add(new BlobLocation(
                    _packs[e.Pack], new PackEntry(e.Type, e.Compression, e.Offset, e.StoredLength, e.RawLength, id)));
            }

            return list;
        }
    }

    private readonly record struct CompactEntry(
        int Pack, uint Offset, uint StoredLength, uint RawLength, BlobType Type, CompressionKind Compression);
}
