using Hort.Core;
using Hort.Repository.Native;

namespace Hort.Repository.Crypto;

/// <summary>Argon2id (version 1.3, one lane) password hashing through libsodium's <c>crypto_pwhash</c>.</summary>
public static unsafe class Argon2id
{
    /// <summary>Passes over memory used for new keys (libsodium's "interactive" cost is 2).</summary>
    public const long DefaultOpsLimit = 3;

    /// <summary>Memory used for new keys: 64 MiB.</summary>
    public const long DefaultMemLimit = 64L * 1024 * 1024;

    /// <summary>The smallest accepted pass count (libsodium's minimum for Argon2id).</summary>
    public const long MinOpsLimit = 1;

    /// <summary>The largest accepted pass count (libsodium's maximum).</summary>
    public const long MaxOpsLimit = uint.MaxValue;

    /// <summary>The smallest accepted memory: 8 KiB (libsodium's minimum).</summary>
    public const long MinMemLimit = 8 * 1024;

    /// <summary>The largest accepted memory (libsodium's maximum on 64-bit: 4 TiB less 1 KiB).</summary>
    public const long MaxMemLimit = 4398046510080;

    /// <summary>Length of the salt.</summary>
    public const int SaltSize = LibSodium.SaltBytes;

    /// <summary>
    /// Derives <paramref name="outputLength"/> bytes from <paramref name="password"/> and a 16-byte salt.
    /// <paramref name="memLimitBytes"/> is rounded down to whole KiB, as libsodium does.
    /// </summary>
    public static byte[] DeriveKey(
        ReadOnlySpan<byte> password, ReadOnlySpan<byte> salt16, long opsLimit, long memLimitBytes, int outputLength = 32)
    {
        if (salt16.Length != SaltSize)
        {
            throw new ArgumentException($"An Argon2id salt is {SaltSize} bytes, got {salt16.Length}.", nameof(salt16));
        }

        if (opsLimit is < MinOpsLimit or > MaxOpsLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(opsLimit), opsLimit, $"Argon2id needs between {MinOpsLimit} and {MaxOpsLimit} passes.");
        }

        if (memLimitBytes is < MinMemLimit or > MaxMemLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(memLimitBytes), memLimitBytes, $"Argon2id needs between {MinMemLimit} and {MaxMemLimit} bytes of memory.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(outputLength, LibSodium.OutputBytesMin);
        EnsureInitialised();

        var output = new byte[outputLength];
        byte none = 0;
        int result;
        fixed (byte* outputPointer = output)
        fixed (byte* passwordPointer = password)
        fixed (byte* saltPointer = salt16)
        {
            // An empty password pins to null; libsodium wants a valid pointer regardless of the length.
            result = LibSodium.PasswordHash(
                outputPointer, (ulong)outputLength, passwordPointer == null ? &none : passwordPointer, (ulong)password.Length,
                saltPointer, (ulong)opsLimit, (nuint)memLimitBytes, LibSodium.AlgorithmArgon2id13);
        }

        if (result != 0)
        {
            throw new HortException("key derivation failed (not enough memory for Argon2id?)");
        }

        return output;
    }

    private static void EnsureInitialised() => _ = Initialisation.Result;

    /// <summary>Runs sodium_init exactly once, on first use (the runtime serialises static initialisers).</summary>
    private static class Initialisation
    {
        public static readonly int Result = Init();

        private static int Init()
        {
            var result = LibSodium.Init();
            if (result < 0)
            {
                throw new HortException("libsodium could not be initialised");
            }

            return result;
        }
    }
}
