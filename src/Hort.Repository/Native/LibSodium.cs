using System.Runtime.InteropServices;

namespace Hort.Repository.Native;

/// <summary>The parts of Debian's libsodium (1.0.18) that Hort calls.</summary>
internal static unsafe partial class LibSodium
{
    private const string Library = "libsodium.so.23";

    /// <summary>crypto_pwhash_ALG_ARGON2ID13.</summary>
    public const int AlgorithmArgon2id13 = 2;

    /// <summary>crypto_pwhash_SALTBYTES.</summary>
    public const int SaltBytes = 16;

    /// <summary>crypto_pwhash_BYTES_MIN.</summary>
    public const int OutputBytesMin = 16;

    /// <summary>0 on success, 1 when already initialised, -1 on failure.</summary>
    [LibraryImport(Library, EntryPoint = "sodium_init")]
    public static partial int Init();

    [LibraryImport(Library, EntryPoint = "crypto_pwhash")]
    public static partial int PasswordHash(
        byte* output, ulong outputLength, byte* password, ulong passwordLength, byte* salt,
        ulong opsLimit, nuint memLimit, int algorithm);
}
