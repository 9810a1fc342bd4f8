using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hort.Repository.Chunking;

/// <summary>
/// Finds content-defined chunk boundaries: FastCDC with normalised chunking over a keyed gear table.
/// </summary>
/// <remarks>
/// <para>Algorithm (repository format version 1). Let <c>bits = log2(AverageSize)</c>,
/// <c>maskS = ~0UL &lt;&lt; (64 - (bits + 2))</c> and <c>maskL = ~0UL &lt;&lt; (64 - (bits - 2))</c>: the highest
/// bits+2 and bits-2 bits of a 64-bit word. High bits are tested because the shift-left hash mixes the most recent
/// bytes (up to 64) into them. Given <c>data</c> starting at a chunk start, with <c>n = data.Length</c>:</para>
/// <list type="number">
/// <item>If <c>n ≤ MinSize</c>, the chunk is all <c>n</c> bytes when this is the end of the input; otherwise more data is needed.</item>
/// <item>Otherwise <c>h = 0</c>, and for <c>i</c> from <c>MinSize</c> to <c>min(n, MaxSize) - 1</c>:
/// <c>h = (h &lt;&lt; 1) + gear[data[i]]</c> (unsigned 64-bit, wrapping); the boundary condition is
/// <c>(h &amp; maskS) == 0</c> while <c>i &lt; AverageSize</c> and <c>(h &amp; maskL) == 0</c> from then on;
/// on the first hit the chunk is <c>i + 1</c> bytes. The bytes before MinSize are never hashed (the FastCDC skip).</item>
/// <item>With no hit: if <c>n ≥ MaxSize</c> the chunk is <c>MaxSize</c> bytes; else, at the end of the input, all
/// <c>n</c> bytes; else more data is needed.</item>
/// </list>
/// <para>The harder mask before the average and the easier one after it pull chunk sizes towards the average.
/// An instance holds no state between calls and may be shared between threads.</para>
/// </remarks>
public sealed class Chunker
{
    private readonly ulong[] _gear;
    private readonly int _min;
    private readonly int _average;
    private readonly int _max;
    private readonly ulong _maskS;
    private readonly ulong _maskL;

    /// <summary>A chunker with <paramref name="parameters"/> and a table from <see cref="GearTable.Derive"/> (not copied; do not change it).</summary>
    public Chunker(ChunkerParameters parameters, ulong[] gear)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gear);
        parameters.Validate();
        if (gear.Length != GearTable.Length)
        {
            throw new ArgumentException($"A gear table has {GearTable.Length} entries, got {gear.Length}.", nameof(gear));
        }

        Parameters = parameters;
        _gear = gear;
        _min = parameters.MinSize;
        _average = parameters.AverageSize;
        _max = parameters.MaxSize;
        var bits = parameters.AverageBits;
        _maskS = ~0UL << (64 - (bits + 2));
        _maskL = ~0UL << (64 - (bits - 2));
    }

    /// <summary>The size limits in use.</summary>
    public ChunkerParameters Parameters { get; }

    /// <summary>
    /// The length of the chunk at the start of <paramref name="data"/>, or -1 when more data is needed to decide
    /// (never when <paramref name="isFinal"/> or when <c>data.Length ≥ MaxSize</c>). 0 only for empty final input.
    /// </summary>
    /// <param name="data">Bytes from a chunk start; passing at least MaxSize bytes (or the rest of the input) always decides.</param>
    /// <param name="isFinal">True when <paramref name="data"/> runs to the end of the input.</param>
    public int FindBoundary(ReadOnlySpan<byte> data, bool isFinal)
    {
        var n = data.Length;
        if (n <= _min)
        {
            return isFinal ? n : -1;
        }

        var end = Math.Min(n, _max);
        var hit = Scan(ref MemoryMarshal.GetReference(data), end);
        if (hit >= 0)
        {
            return hit + 1;
        }

        if (n >= _max)
        {
            return _max;
        }

        return isFinal ? n : -1;
    }

    /// <summary>The chunks of <paramref name="data"/> as a whole input, as (offset, length) pairs.</summary>
    public IEnumerable<(int Offset, int Length)> Split(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var offset = 0;
        while (offset < data.Length)
        {
            var length = FindBoundary(data.AsSpan(offset), isFinal: true);
            yield return (offset, length);
            offset += length;
        }
    }

    /// <summary>Index of the first boundary byte in [MinSize, end), or -1. <paramref name="end"/> ≤ the data length.</summary>
    /// <remarks>
    /// Two bytes per step: <c>h₂ = 4h + (2·gear[a] + gear[b])</c>, whose second term does not depend on <c>h</c>, so
    /// the chain that carries <c>h</c> from step to step is one shift-and-add per two bytes instead of per byte. The
    /// hash after the first byte (<c>2h + gear[a]</c>) is tested too, so every position is tested as the format says.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Scan(ref byte data, int end)
    {
        ref var gear = ref MemoryMarshal.GetArrayDataReference(_gear);
        ulong h = 0;
        var i = _min;

        var normal = Math.Min(end, _average);
        var hit = ScanRange(ref data, ref gear, ref h, ref i, normal, _maskS);
        if (hit >= 0)
        {
            return hit;
        }

        return ScanRange(ref data, ref gear, ref h, ref i, end, _maskL);
    }

    /// <summary>Hashes bytes <paramref name="i"/> to <paramref name="end"/> - 1 into <paramref name="h"/>; the first index whose hash passes <paramref name="mask"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ScanRange(ref byte data, ref ulong gear, ref ulong h, ref int i, int end, ulong mask)
    {
        var hash = h;
        var at = i;
        for (; at + 1 < end; at += 2)
        {
            var first = Unsafe.Add(ref gear, Unsafe.Add(ref data, at));
            var second = Unsafe.Add(ref gear, Unsafe.Add(ref data, at + 1));
            var one = (hash << 1) + first;
            hash = (hash << 2) + ((first << 1) + second);
            if ((one & mask) == 0)
            {
                return at;
            }

            if ((hash & mask) == 0)
            {
                return at + 1;
            }
        }

        if (at < end)
        {
            hash = (hash << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref data, at));
            if ((hash & mask) == 0)
            {
                return at;
            }

            at++;
        }

        h = hash;
        i = at;
        return -1;
    }
}
