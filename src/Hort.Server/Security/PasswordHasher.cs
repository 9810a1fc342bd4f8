using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hort.Repository.Crypto;
using Hort.Server.Hosting;

namespace Hort.Server.Security;

/// <summary>
/// Admin password hashes: Argon2id (libsodium) in the PHC string form
/// <c>$argon2id$v=19$m=KiB,t=passes,p=1$salt$hash</c> (base64 without padding).
/// </summary>
public sealed class PasswordHasher(PasswordHashingOptions options)
{
    private const int HashBytes = 32;

    /// <summary>Largest cost accepted from a stored hash, so a tampered catalog cannot exhaust memory.</summary>
    private const long MaxMemoryKiB = 16L * 1024 * 1024;

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(Argon2id.SaltSize);
        var hash = Argon2id.DeriveKey(Encoding.UTF8.GetBytes(password), salt, options.Passes, options.MemoryKiB * 1024, HashBytes);
        return string.Create(CultureInfo.InvariantCulture,
            $"$argon2id$v=19$m={options.MemoryKiB},t={options.Passes},p=1${Encode(salt)}${Encode(hash)}");
    }

    /// <summary>True when <paramref name="password"/> matches <paramref name="stored"/>; false for any malformed hash.</summary>
    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 6 || parts[1] != "argon2id" || parts[2] != "v=19")
        {
            return false;
        }

        long memory = 0, passes = 0;
        foreach (var item in parts[3].Split(','))
        {
            var kv = item.Split('=');
            if (kv.Length != 2 || !long.TryParse(kv[1], NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return false;
            switch (kv[0])
            {
                case "m": memory = value; break;
                case "t": passes = value; break;
                case "p" when value == 1: break;
                default: return false;
            }
        }

        if (memory is < 8 or > MaxMemoryKiB || passes is < 1 or > 100) return false;
        byte[] salt, expected;
        try
        {
            salt = Decode(parts[4]);
            expected = Decode(parts[5]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (salt.Length != Argon2id.SaltSize || expected.Length != HashBytes) return false;
        var actual = Argon2id.DeriveKey(Encoding.UTF8.GetBytes(password), salt, passes, memory * 1024, HashBytes);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>A hash that never matches, used so an unknown user name costs as much as a wrong password.</summary>
    public string DummyHash { get; } = "$argon2id$v=19$m=" + options.MemoryKiB.ToString(CultureInfo.InvariantCulture) + ",t="
        + options.Passes.ToString(CultureInfo.InvariantCulture) + ",p=1$" + Encode(new byte[Argon2id.SaltSize]) + "$" + Encode(new byte[HashBytes]);

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static byte[] Decode(string text) => Convert.FromBase64String(text.PadRight((text.Length + 3) / 4 * 4, '='));
}
