using System.Security.Cryptography;
using Hort.Core;

namespace Hort.Repository.Crypto;

/// <summary>
/// Authenticated encryption of one stored object: <c>salt (24) || ciphertext || tag (16)</c>.
/// </summary>
/// <remarks>
/// Each object gets its own key, <c>K_obj = HMAC-SHA256(encryptionKey, salt)</c> with a fresh random 24-byte salt,
/// and is encrypted with AES-256-GCM under <c>K_obj</c>, a 12-byte all-zero nonce, a 16-byte tag and the caller's
/// associated data. Because every derived key encrypts exactly one message, the nonce never repeats under a key,
/// however many objects are written (192-bit salts do not collide). Thread-safe: nothing mutable is shared.
/// </remarks>
public sealed class ObjectCipher
{
    /// <summary>Length of the random salt at the start of an envelope.</summary>
    public const int SaltSize = 24;

    /// <summary>Length of the GCM tag at the end of an envelope.</summary>
    public const int TagSize = 16;

    /// <summary>Bytes an envelope adds to its plaintext.</summary>
    public const int Overhead = SaltSize + TagSize;

    private const int KeySize = 32;
    private const int NonceSize = 12;

    private readonly byte[] _encryptionKey;

    /// <summary>A cipher for objects under <paramref name="encryptionKey32"/> (the bytes are copied).</summary>
    public ObjectCipher(ReadOnlySpan<byte> encryptionKey32)
    {
        if (encryptionKey32.Length != KeySize)
        {
            throw new ArgumentException($"An encryption key is {KeySize} bytes, got {encryptionKey32.Length}.", nameof(encryptionKey32));
        }

        _encryptionKey = encryptionKey32.ToArray();
    }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> into <paramref name="destination"/> (at least
    /// <c>plaintext.Length + Overhead</c> bytes, not overlapping the plaintext); returns the envelope length.
    /// </summary>
    public int Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> destination)
    {
        CheckDestination(plaintext, destination);
        RandomNumberGenerator.Fill(destination[..SaltSize]);
        return Seal(plaintext, associatedData, destination);
    }

    /// <summary>
    /// Encrypts, in place, the <paramref name="plaintextLength"/> bytes that the caller put at offset
    /// <see cref="SaltSize"/> of <paramref name="envelope"/> (which holds at least <c>plaintextLength + Overhead</c>
    /// bytes): writes the salt before them and the tag after them, and returns the envelope length. Saves a copy when
    /// the plaintext is produced straight into its place, as compression does.
    /// </summary>
    public int EncryptInPlace(Span<byte> envelope, int plaintextLength, ReadOnlySpan<byte> associatedData)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        if (envelope.Length - Overhead < plaintextLength)
        {
            throw new ArgumentException($"The envelope needs {plaintextLength + Overhead} bytes, has {envelope.Length}.", nameof(envelope));
        }

        RandomNumberGenerator.Fill(envelope[..SaltSize]);
        var plaintext = envelope.Slice(SaltSize, plaintextLength);
        return Seal(plaintext, associatedData, envelope);
    }

    /// <summary>Encrypts <paramref name="plaintext"/> into a new envelope.</summary>
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var envelope = new byte[plaintext.Length + Overhead];
        Encrypt(plaintext, associatedData, envelope);
        return envelope;
    }

    /// <summary>Encrypts with a caller-chosen salt; only for reproducible test vectors — never reuse a salt.</summary>
    internal int Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> salt, Span<byte> destination)
    {
        if (salt.Length != SaltSize)
        {
            throw new ArgumentException($"A salt is {SaltSize} bytes.", nameof(salt));
        }

        CheckDestination(plaintext, destination);
        salt.CopyTo(destination);
        return Seal(plaintext, associatedData, destination);
    }

    /// <summary>
    /// Checks and decrypts <paramref name="envelope"/> into <paramref name="destination"/> (at least
    /// <c>envelope.Length - Overhead</c> bytes). False for an envelope too short to be one or one that fails
    /// authentication (wrong key, wrong associated data, any altered byte); then <paramref name="destination"/>
    /// holds no plaintext.
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> associatedData, Span<byte> destination, out int written)
    {
        written = 0;
        if (envelope.Length < Overhead)
        {
            return false;
        }

        var length = envelope.Length - Overhead;
        if (destination.Length < length)
        {
            throw new ArgumentException($"The destination needs {length} bytes, has {destination.Length}.", nameof(destination));
        }

        var plaintext = destination[..length];
        Span<byte> key = stackalloc byte[KeySize];
        try
        {
            DeriveObjectKey(envelope[..SaltSize], key);
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(ZeroNonce, envelope.Slice(SaltSize, length), envelope[(SaltSize + length)..], plaintext, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        written = length;
        return true;
    }

    /// <summary>
    /// Decrypts <paramref name="envelope"/>, raising <see cref="RepositoryCorruptException"/> naming
    /// <paramref name="objectName"/> when it is too short or fails authentication.
    /// </summary>
    public byte[] Decrypt(ReadOnlySpan<byte> envelope, ReadOnlySpan<byte> associatedData, string objectName)
    {
        if (envelope.Length < Overhead)
        {
            throw new RepositoryCorruptException(objectName, $"too short to be an encrypted object ({envelope.Length} bytes)");
        }

        var plaintext = new byte[envelope.Length - Overhead];
        if (!TryDecrypt(envelope, associatedData, plaintext, out _))
        {
            throw new RepositoryCorruptException(objectName, "authentication failed: the data was altered or damaged");
        }

        return plaintext;
    }

    private static ReadOnlySpan<byte> ZeroNonce => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static void CheckDestination(ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (destination.Length < plaintext.Length + Overhead)
        {
            throw new ArgumentException(
                $"The destination needs {plaintext.Length + Overhead} bytes, has {destination.Length}.", nameof(destination));
        }
    }

    /// <summary>
    /// Encrypts behind the salt already in <paramref name="destination"/>; <paramref name="plaintext"/> is either apart
    /// from the destination or exactly where its ciphertext goes (AES-GCM works in place).
    /// </summary>
    private int Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> destination)
    {
        Span<byte> key = stackalloc byte[KeySize];
        try
        {
            DeriveObjectKey(destination[..SaltSize], key);
            using var aes = new AesGcm(key, TagSize);
            aes.Encrypt(
                ZeroNonce, plaintext, destination.Slice(SaltSize, plaintext.Length),
                destination.Slice(SaltSize + plaintext.Length, TagSize), associatedData);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        return plaintext.Length + Overhead;
    }

    private void DeriveObjectKey(ReadOnlySpan<byte> salt, Span<byte> key) => HMACSHA256.HashData(_encryptionKey, salt, key);
}
