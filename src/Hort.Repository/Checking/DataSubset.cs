using System.Buffers.Binary;
using System.Globalization;
using Hort.Core;

namespace Hort.Repository.Checking;

/// <summary>
/// Which packs a partial <c>check --read-data-subset</c> reads. A percentage rotates: packs are taken in the order of
/// their IDs, starting after the last pack the previous run read (the cursor) and wrapping around, so successive runs
/// read every pack. A fixed part "n/t" reads the packs whose ID, as a number, is n−1 modulo t; the t parts together
/// are every pack, and need no state.
/// </summary>
public sealed record DataSubset
{
    private DataSubset(double percent, int part, int parts)
    {
        Percent = percent;
        Part = part;
        Parts = parts;
    }

    /// <summary>The share of packs to read, 0 &lt; p ≤ 100; 0 when this is a fixed part.</summary>
    public double Percent { get; }

    /// <summary>n of "n/t" (1-based); 0 for a percentage.</summary>
    public int Part { get; }

    /// <summary>t of "n/t"; 0 for a percentage.</summary>
    public int Parts { get; }

    /// <summary>For a percentage: the last pack the previous run read; the selection starts after it.</summary>
    public ObjectId? Cursor { get; init; }

    /// <summary>True for a percentage, whose position is kept between runs.</summary>
    public bool Rotates => Parts == 0;

    /// <summary>A rotating share of the packs.</summary>
    public static DataSubset OfPercent(double percent) =>
        percent is > 0 and <= 100 ? new DataSubset(percent, 0, 0) : throw new ArgumentOutOfRangeException(nameof(percent), percent, "must be above 0 and at most 100");

    /// <summary>Part <paramref name="part"/> of <paramref name="parts"/>.</summary>
    public static DataSubset OfPart(int part, int parts) =>
        parts >= 1 && part >= 1 && part <= parts ? new DataSubset(0, part, parts) : throw new ArgumentOutOfRangeException(nameof(part), $"{part}/{parts}: need 1 ≤ n ≤ t");

    /// <summary>Parses "N%" (N a number, fractions allowed) or "n/t"; null when the text is neither.</summary>
    public static DataSubset? TryParse(string text)
    {
        text = text.Trim();
        if (text.EndsWith('%')
            && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent)
            && percent is > 0 and <= 100)
        {
            return OfPercent(percent);
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0
            && int.TryParse(text[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var t)
            && t >= 1 && n >= 1 && n <= t)
        {
            return OfPart(n, t);
        }

        return null;
    }

    /// <summary>Chooses the packs to read from <paramref name="packs"/>; at least one when there are any.</summary>
    public IReadOnlyList<ObjectId> Select(IEnumerable<ObjectId> packs)
    {
        var sorted = packs.Order().ToList();
        if (!Rotates)
        {
            return sorted.Where(p => PartOf(p, Parts) == Part - 1).ToList();
        }

        if (sorted.Count == 0)
        {
            return [];
        }

        var count = (int)Math.Min(sorted.Count, Math.Ceiling(sorted.Count * Percent / 100));
        var start = 0;
        if (Cursor is { } cursor)
        {
            start = sorted.BinarySearch(cursor);
            start = start >= 0 ? start + 1 : ~start;
        }

        var selected = new List<ObjectId>(count);
        for (var i = 0; i < count; i++)
        {
            selected.Add(sorted[(start + i) % sorted.Count]);
        }

        return selected;
    }

    /// <summary>The 0-based part of <paramref name="parts"/> a pack belongs to: its first four bytes modulo parts.</summary>
    private static int PartOf(ObjectId pack, int parts)
    {
        Span<byte> bytes = stackalloc byte[ObjectId.Size];
        pack.WriteTo(bytes);
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(bytes) % (uint)parts);
    }

    public override string ToString() => Rotates
        ? Percent.ToString(CultureInfo.InvariantCulture) + "%"
        : string.Create(CultureInfo.InvariantCulture, $"{Part}/{Parts}");
}
