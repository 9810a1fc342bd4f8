using System.Buffers;
using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Crypto;
using Hort.Repository.Format;

namespace Hort.Repository.Packs;

/// <summary>Turns a blob's plaintext into its stored envelope and back, checking its ID on the way out.</summary>
public sealed class BlobCodec
{
    private readonly MasterKey _key;
    private readonly ObjectCipher _cipher;
    private readonly int? _compressionLevel;

    public BlobCodec(MasterKey key, CompressionMode compression = CompressionMode.Auto)
        : this(key, new ObjectCipher(key.EncryptionKey), compression)
    {
    }

    private BlobCodec(MasterKey key, ObjectCipher cipher, CompressionMode compression)
    {
        _key = key;
        _cipher = cipher;
        Compression = compression;
        _compressionLevel = Compressor.LevelOf(compression);
    }

    /// <summary>How <see cref="Seal"/> compresses.</summary>
    public CompressionMode Compression { get; }

    /// <summary>This codec, sealing with <paramref name="compression"/> instead (same key and cipher).</summary>
    public BlobCodec WithCompression(CompressionMode compression) =>
        compression == Compression ? this : new BlobCodec(_key, _cipher, compression);

    /// <summary>The cipher used for blobs and the other repository objects.</summary>
    public ObjectCipher Cipher => _cipher;

    /// <summary>The master key (for chunk IDs).</summary>
    public MasterKey Key => _key;

    /// <summary>Upper bound of the envelope size for a plaintext of <paramref name="rawLength"/> bytes.</summary>
    /// <remarks>Compressed output is kept only when smaller than the raw blob, so this is the raw length plus the envelope.</remarks>
    public static int MaxStoredLength(int rawLength) => rawLength + ObjectCipher.Overhead;

    /// <summary>
    /// Compresses (when that saves space) and encrypts <paramref name="raw"/> into <paramref name="destination"/>;
    /// returns the envelope length and the compression used.
    /// </summary>
    public int Seal(BlobType type, ObjectId id, ReadOnlySpan<byte> raw, Span<byte> destination, out CompressionKind compression)
    {
        if (destination.Length < raw.Length + ObjectCipher.Overhead)
        {
            throw new ArgumentException($"The destination needs {raw.Length + ObjectCipher.Overhead} bytes, has {destination.Length}.", nameof(destination));
        }

        Span<byte> ad = stackalloc byte[PackEntry.AssociatedDataSize];
        PackEntry.WriteAssociatedData(type, id, ad);
        // Compressed straight into the envelope's payload and encrypted there; no scratch buffer, no copy.
        var payload = destination[ObjectCipher.SaltSize..^ObjectCipher.TagSize];
        if (_compressionLevel is { } level && Compressor.TryCompress(raw, payload, level, out var compressedLength))
        {
            compression = CompressionKind.Zstd;
            return _cipher.EncryptInPlace(destination, compressedLength, ad);
        }

        // Stored as it is: encrypted straight from the caller's memory.
        compression = CompressionKind.None;
        return _cipher.Encrypt(raw, ad, destination);
    }

    /// <summary>
    /// Decrypts, decompresses and verifies one blob envelope; any mismatch raises
    /// <see cref="RepositoryCorruptException"/> naming the blob and its pack.
    /// </summary>
    public byte[] Open(ReadOnlySpan<byte> envelope, PackEntry entry, ObjectId packId)
    {
        var raw = new byte[entry.RawLength];
        Open(envelope, entry, packId, raw);
        return raw;
    }

    /// <summary>
    /// Decrypts one blob envelope into its stored form, still compressed as <paramref name="entry"/> says. Decryption
    /// authenticates the bytes against the entry's type and ID; the content is not decompressed, so it is not checked
    /// against its ID either: whoever decompresses it must do that.
    /// </summary>
    public byte[] Decrypt(ReadOnlySpan<byte> envelope, PackEntry entry, ObjectId packId)
    {
        CheckStoredLength(envelope, entry, packId);
        var stored = new byte[envelope.Length - ObjectCipher.Overhead];
        DecryptInto(envelope, entry, packId, stored);
        return stored;
    }

    private static void CheckStoredLength(ReadOnlySpan<byte> envelope, PackEntry entry, ObjectId packId)
    {
        if (envelope.Length != entry.StoredLength || envelope.Length < ObjectCipher.Overhead)
        {
            throw new RepositoryCorruptException(Describe(entry, packId), "stored length does not match the index");
        }
    }

    /// <summary>Decrypts and authenticates an envelope against the entry's type and ID; returns the bytes written.</summary>
    private int DecryptInto(ReadOnlySpan<byte> envelope, PackEntry entry, ObjectId packId, Span<byte> destination)
    {
        Span<byte> ad = stackalloc byte[PackEntry.AssociatedDataSize];
        PackEntry.WriteAssociatedData(entry.Type, entry.Id, ad);
        if (!_cipher.TryDecrypt(envelope, ad, destination, out var written))
        {
            throw new RepositoryCorruptException(Describe(entry, packId), "authentication failed: the data was altered or damaged");
        }

        return written;
    }

    /// <summary>How errors name a blob; built only when there is an error, never per blob opened.</summary>
    private static string Describe(PackEntry entry, ObjectId packId) =>
        $"{entry.Type.ToString().ToLowerInvariant()} blob {entry.Id} in pack {packId}";

    /// <summary>As <see cref="Open(ReadOnlySpan{byte}, PackEntry, ObjectId)"/>, into a caller's buffer of exactly RawLength bytes.</summary>
    public void Open(ReadOnlySpan<byte> envelope, PackEntry entry, ObjectId packId, Span<byte> raw)
    {
        CheckStoredLength(envelope, entry, packId);
        if (raw.Length != entry.RawLength)
        {
            throw new ArgumentException("The destination must be exactly RawLength bytes.", nameof(raw));
        }

        var plainLength = envelope.Length - ObjectCipher.Overhead;
        if (entry.Compression == CompressionKind.None && plainLength == raw.Length)
        {
            // Stored as is: decrypt straight into the destination, no scratch buffer and no copy.
            DecryptInto(envelope, entry, packId, raw);
        }
        else
        {
            OpenThroughScratch(envelope, entry, packId, plainLength, raw);
        }

        if (_key.ComputeChunkId(raw) != entry.Id)
        {
            throw new RepositoryCorruptException(Describe(entry, packId), "content does not match its ID");
        }
    }

    /// <summary>Decrypts into a pooled buffer and decompresses (or copies) from there into <paramref name="raw"/>.</summary>
    private void OpenThroughScratch(ReadOnlySpan<byte> envelope, PackEntry entry, ObjectId packId, int plainLength, Span<byte> raw)
    {
        var plain = ArrayPool<byte>.Shared.Rent(Math.Max(plainLength, 1));
        try
        {
            var written = DecryptInto(envelope, entry, packId, plain.AsSpan(0, plainLength));
            switch (entry.Compression)
            {
                case CompressionKind.None:
                    if (written != raw.Length)
                    {
                        throw new RepositoryCorruptException(Describe(entry, packId), "length does not match the index");
                    }

                    plain.AsSpan(0, written).CopyTo(raw);
                    break;
                case CompressionKind.Zstd:
                    if (!Zstd.TryDecompress(plain.AsSpan(0, written), raw, out var rawWritten) || rawWritten != raw.Length)
                    {
                        throw new RepositoryCorruptException(Describe(entry, packId), "decompression failed");
                    }

                    break;
                default:
                    throw new RepositoryCorruptException(Describe(entry, packId), $"unknown compression {(byte)entry.Compression}");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    /// <summary>
    /// Encrypts a blob whose compressed form the caller already has, without compressing: <paramref name="compressed"/>
    /// is kept when <see cref="Compressor.IsWorthKeeping"/> says so, else <paramref name="raw"/> is stored as it is (also
    /// when <paramref name="compressed"/> is empty). The caller must have checked that <paramref name="compressed"/>
    /// decompresses to exactly <paramref name="raw"/>.
    /// </summary>
    public int SealPrepared(BlobType type, ObjectId id, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> compressed, Span<byte> destination, out CompressionKind compression)
    {
        Span<byte> ad = stackalloc byte[PackEntry.AssociatedDataSize];
        PackEntry.WriteAssociatedData(type, id, ad);
        if (!compressed.IsEmpty && Compressor.IsWorthKeeping(raw.Length, compressed.Length))
        {
            compression = CompressionKind.Zstd;
            return _cipher.Encrypt(compressed, ad, destination);
        }

        compression = CompressionKind.None;
        return _cipher.Encrypt(raw, ad, destination);
    }
}
