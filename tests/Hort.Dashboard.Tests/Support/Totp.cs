using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Hort.Dashboard.Tests.Support;

/// <summary>
/// The code an authenticator app shows (RFC 6238: HMAC-SHA1 over the 30-second step number, 6 digits), computed
/// independently of the server's implementation so the test checks it against the standard.
/// </summary>
internal static class Totp
{
    public static string Code(string base32Secret, DateTimeOffset time) => Code(base32Secret, Step(time));

    /// <summary>The 30-second time step <paramref name="time"/> falls in, counted from the Unix epoch.</summary>
    public static long Step(DateTimeOffset time) => time.ToUnixTimeSeconds() / 30;

    public static string Code(string base32Secret, long step)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var hash = HMACSHA1.HashData(Base32(base32Secret), counter);
        var offset = hash[^1] & 0x0f;
        var value = (BinaryPrimitives.ReadInt32BigEndian(hash.AsSpan(offset)) & 0x7fffffff) % 1_000_000;
        return value.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>RFC 4648 base32, as in otpauth:// URIs; case, spaces and padding are ignored.</summary>
    public static byte[] Base32(string text)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var bytes = new List<byte>();
        int buffer = 0, bits = 0;
        foreach (var c in text.ToUpperInvariant())
        {
            if (c is ' ' or '=' or '-') continue;
            var v = alphabet.IndexOf(c, StringComparison.Ordinal);
            if (v < 0) throw new FormatException($"'{c}' is not a base32 digit");
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return [.. bytes];
    }
}
