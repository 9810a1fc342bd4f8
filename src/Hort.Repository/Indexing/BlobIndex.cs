using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// <remarks>
/// Sized for repositories of tens of millions of blobs: each blob costs one 48-byte <see cref="Slot"/> in pages of
/// fixed size (no doubling of the whole store) plus a 4-byte cell of an open-addressing table kept at most 3/4 full,
/// about 55–59 bytes per blob in all. A cell holds the blob's number plus some bits of its hash, so a probe rarely
/// has to look at a slot that does not match.
/// </remarks>
public sealed partial class BlobIndex
{
    private const int PageBits = 16;
    private const int PageSize = 1 << PageBits;
    private const int InitialCells = 1 << 10;
    private const int MaxPackOrdinal = (1 << 28) - 1;

    private readonly Lock _lock = new();
    private readonly List<ObjectId> _packs = [];
    private readonly List<long> _packLengths = [];
    private readonly Dictionary<ObjectId, int> _packOrdinals = [];
    private readonly List<Slot[]> _pages = [];
    private uint[] _cells = new uint[InitialCells];
    private int _count;

    /// <summary>Number of distinct blobs.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
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
                if (_packs.Count > MaxPackOrdinal)
                {
                    throw new InvalidOperationException($"The index holds {_packs.Count} packs, the most it can.");
                }

                ordinal = _packs.Count;
                _packs.Add(packId);
                _packLengths.Add(packLength);
                _packOrdinals.Add(packId, ordinal);
            }

            EnsureRoom(entries.Count);
            foreach (var e in entries)
            {
                var hash = Hash(e.Id);
                if (Find(e.Id, hash) < 0)
                {
                    Insert(new Slot(e, ordinal), hash);
                }
            }
        }
    }

    /// <summary>True when the blob is stored somewhere.</summary>
    public bool Contains(ObjectId id)
    {
        lock (_lock)
        {
            return Find(id, Hash(id)) >= 0;
        }
    }

    /// <summary>Finds a blob's location.</summary>
    public bool TryGet(ObjectId id, out BlobLocation location)
    {
        lock (_lock)
        {
            var index = Find(id, Hash(id));
            if (index >= 0)
            {
                location = LocationOf(in SlotAt(index));
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

    /// <summary>Number of distinct blobs and their raw and stored bytes added up, without copying the index.</summary>
    public (int Blobs, long RawBytes, long StoredBytes) Totals()
    {
        lock (_lock)
        {
            long raw = 0, stored = 0;
            for (var i = 0; i < _count; i++)
            {
                ref readonly var slot = ref SlotAt(i);
                raw += slot.RawLength;
                stored += slot.StoredLength;
            }

            return (_count, raw, stored);
        }
    }

    /// <summary>Every blob with its location (a copy; safe to enumerate while others add).</summary>
    public IReadOnlyList<BlobLocation> Blobs()
    {
        lock (_lock)
        {
            var list = new List<BlobLocation>(_count);
            for (var i = 0; i < _count; i++)
            {
                list.Add(LocationOf(in SlotAt(i)));
            }

            return list;
        }
    }

    private BlobLocation LocationOf(in Slot slot) =>
        new(_packs[slot.PackOrdinal], new PackEntry(slot.Type, slot.Compression, slot.Offset, slot.StoredLength, slot.RawLength, slot.Id));

    private ref Slot SlotAt(int index) => ref _pages[index >> PageBits][index & (PageSize - 1)];

    /// <summary>One blob: its ID, where it lies, and its pack ordinal with type and compression in the top bits.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly struct Slot
    {
        public readonly ObjectId Id;
        private readonly uint _packTypeCompression;
        public readonly uint Offset;
        public readonly uint StoredLength;
        public readonly uint RawLength;

        public Slot(in PackEntry entry, int packOrdinal)
        {
            if ((uint)entry.Type > 3 || (uint)entry.Compression > 3)
            {
                throw new ArgumentException($"Blob {entry.Id} has an unknown type or compression.", nameof(entry));
            }

            Id = entry.Id;
            _packTypeCompression = (uint)packOrdinal | ((uint)entry.Type << 28) | ((uint)entry.Compression << 30);
            Offset = entry.Offset;
            StoredLength = entry.StoredLength;
            RawLength = entry.RawLength;
        }

        public int PackOrdinal => (int)(_packTypeCompression & MaxPackOrdinal);

        public BlobType Type => (BlobType)((_packTypeCompression >> 28) & 3);

        public CompressionKind Compression => (CompressionKind)(_packTypeCompression >> 30);
    }

    /// <summary>Mixes all 256 bits, so IDs that differ anywhere spread over the table.</summary>
    private static ulong Hash(in ObjectId id)
    {
        var words = MemoryMarshal.Cast<ObjectId, ulong>(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in id), 1));
        var h = words[0] ^ (words[1] * 0x9E3779B97F4A7C15UL) ^ (words[2] * 0xC2B2AE3D27D4EB4FUL) ^ (words[3] * 0x165667B19E3779F9UL);
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        return h;
    }
}
