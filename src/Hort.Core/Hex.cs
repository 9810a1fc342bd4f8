namespace Hort.Core;

/// <summary>Lower-case hexadecimal helpers used for storage names.</summary>
public static class Hex
{
    /// <summary>Lower-case hex of <paramref name="bytes"/>.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>True when <paramref name="s"/> is non-empty lower-case hexadecimal.</summary>
    public static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty) return false;
        foreach (var c in s)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        }

        return true;
    }
}
