using System.Numerics;
using Hort.Core;

namespace Hort.Repository.Indexing;

public sealed partial class BlobIndex
{
    private const int FirstPageSize = 64;
    private const int MaxCellBits = 30;

    /// <summary>log2 of the table's length: a cell's low bits hold the slot number plus one, the rest a hash tag.</summary>
    private int CellBits => BitOperations.Log2((uint)_cells.Length);

    /// <summary>The number of the slot holding <paramref name="id"/>, or -1. Caller holds the lock.</summary>
    private int Find(in ObjectId id, ulong hash)
    {
        var cells = _cells;
        var bits = CellBits;
        var mask = (uint)cells.Length - 1;
        var tag = Tag(hash, bits);
        for (var i = (uint)hash & mask; ; i = (i + 1) & mask)
        {
            var cell = cells[i];
            if (cell == 0)
            {
                return -1;
            }

            if (cell >> bits == tag)
            {
                var index = (int)(cell & mask) - 1;
                if (SlotAt(index).Id == id)
                {
                    return index;
                }
            }
        }
    }

    /// <summary>Appends a slot known to be absent and links it into the table. Caller holds the lock and made room.</summary>
    private void Insert(in Slot slot, ulong hash)
    {
        var index = _count;
        var pageIndex = index >> PageBits;
        var within = index & (PageSize - 1);
        if (pageIndex == _pages.Count)
        {
            _pages.Add(new Slot[pageIndex == 0 ? FirstPageSize : PageSize]);
        }
        else if (within == _pages[pageIndex].Length)
        {
            // Only the first page starts small (so a small repository stays small) and doubles up to a full page.
            var page = _pages[pageIndex];
            Array.Resize(ref page, Math.Min(page.Length * 2, PageSize));
            _pages[pageIndex] = page;
        }

        _pages[pageIndex][within] = slot;
        _count++;
        Link(_cells, index, hash);
    }

    /// <summary>Grows the table so that <paramref name="more"/> blobs fit while it stays at most 3/4 full.</summary>
    private void EnsureRoom(int more)
    {
        var needed = (long)_count + more;
        var length = (long)_cells.Length;
        while (needed > length / 4 * 3)
        {
            length *= 2;
        }

        if (length == _cells.Length)
        {
            return;
        }

        if (length > 1L << MaxCellBits)
        {
            throw new InvalidOperationException($"The index cannot hold {needed} blobs.");
        }

        var cells = new uint[length];
        for (var i = 0; i < _count; i++)
        {
            Link(cells, i, Hash(SlotAt(i).Id));
        }

        _cells = cells;
    }

    private static void Link(uint[] cells, int index, ulong hash)
    {
        var bits = BitOperations.Log2((uint)cells.Length);
        var mask = (uint)cells.Length - 1;
        var cell = (uint)(index + 1) | (Tag(hash, bits) << bits);
        for (var i = (uint)hash & mask; ; i = (i + 1) & mask)
        {
            if (cells[i] == 0)
            {
                cells[i] = cell;
                return;
            }
        }
    }

    /// <summary>The hash's top <c>32 - bits</c> bits, which the cell index (taken from the low bits) does not use.</summary>
    private static uint Tag(ulong hash, int bits) => (uint)(hash >> (32 + bits));
}
