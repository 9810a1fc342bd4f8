using System.Buffers.Binary;
using System.Security.Cryptography;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Storage;

namespace Hort.Repository.Packs;

/// <summary>Reads pack headers and whole packs, validating every field against the file's bounds.</summary>
public static class PackReader
{
    /// <summary>Smallest possible pack: magic, an empty header envelope, the trailer.</summary>
    public const int MinimumLength = 8 + 4 + ObjectCipher.Overhead + 4;

    /// <summary>Reads just the header of a stored pack (two range reads from its end).</summary>
    public static async Task<IReadOnlyList<PackEntry>> ReadHeaderAsync(
        IBlobStore store, ObjectCipher cipher, ObjectId packId, long packLength, CancellationToken cancellationToken)
    {
        var name = BlobName.For(BlobKind.Pack, packId);
        if (packLength < MinimumLength)
        {
            throw new RepositoryCorruptException(name.ToString(), "pack is too short to hold a header");
        }

        var trailer = new byte[4];
        await ReadExactlyAsync(store, name, packLength - 4, trailer, cancellationToken).ConfigureAwait(false);
        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        if (headerLength < 4 + ObjectCipher.Overhead || headerLength > packLength - 4 - FormatVersion.PackMagic.Length)
        {
            throw new RepositoryCorruptException(name.ToString(), "pack header length is out of range");
        }

        var envelope = new byte[headerLength];
        await ReadExactlyAsync(store, name, packLength - 4 - headerLength, envelope, cancellationToken).ConfigureAwait(false);
        return DecodeHeader(cipher, envelope, packLength - 4 - headerLength, name.ToString());
    }

    /// <summary>
    /// Parses a complete pack held in memory: checks its name (SHA-256), magic, header and bounds.
    /// Does not open the blobs.
    /// </summary>
    public static IReadOnlyList<PackEntry> ParseWholePack(ObjectCipher cipher, ObjectId packId, ReadOnlySpan<byte> content)
    {
        var name = BlobName.For(BlobKind.Pack, packId).ToString();
        if (new ObjectId(SHA256.HashData(content)) != packId)
        {
            throw new RepositoryCorruptException(name, "content does not match its name (SHA-256 mismatch)");
        }

        if (content.Length < MinimumLength || !content[..FormatVersion.PackMagic.Length].SequenceEqual(FormatVersion.PackMagic))
        {
            throw new RepositoryCorruptException(name, "not a hort v1 pack (bad magic)");
        }

        return ParseHeader(cipher, packId, content);
    }

    /// <summary>
    /// Decodes the header of a pack held in memory from its trailer, without checking the name or the magic: repair
    /// uses it to find the blobs of a pack that is damaged elsewhere.
    /// </summary>
    public static IReadOnlyList<PackEntry> ParseHeader(ObjectCipher cipher, ObjectId packId, ReadOnlySpan<byte> content)
    {
        var name = BlobName.For(BlobKind.Pack, packId).ToString();
        if (content.Length < MinimumLength)
        {
            throw new RepositoryCorruptException(name, "pack is too short to hold a header");
        }

        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(content[^4..]);
        if (headerLength < 4 + ObjectCipher.Overhead || headerLength > content.Length - 4 - FormatVersion.PackMagic.Length)
        {
            throw new RepositoryCorruptException(name, "pack header length is out of range");
        }

        var headerStart = content.Length - 4 - (int)headerLength;
        return DecodeHeader(cipher, content.Slice(headerStart, (int)headerLength), headerStart, name);
    }

    private static List<PackEntry> DecodeHeader(ObjectCipher cipher, ReadOnlySpan<byte> envelope, long headerStart, string name)
    {
        var plain = new byte[envelope.Length - ObjectCipher.Overhead];
        if (!cipher.TryDecrypt(envelope, FormatVersion.PackHeaderContext, plain, out var written) || written < 4)
        {
            throw new RepositoryCorruptException(name, "pack header failed authentication: the pack was altered or damaged");
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(plain);
        if ((long)count * PackEntry.Size != written - 4)
        {
            throw new RepositoryCorruptException(name, "pack header entry count does not match its length");
        }

        var entries = new List<PackEntry>((int)count);
        long expectedOffset = FormatVersion.PackMagic.Length;
        for (var i = 0; i < count; i++)
        {
            var entry = PackEntry.Read(plain.AsSpan(4 + (i * PackEntry.Size), PackEntry.Size), name);
            if (entry.Offset != expectedOffset || entry.StoredLength < ObjectCipher.Overhead)
            {
                throw new RepositoryCorruptException(name, $"blob entry {i} is not where the previous one ended");
            }

            expectedOffset += entry.StoredLength;
            entries.Add(entry);
        }

        if (expectedOffset != headerStart)
        {
            throw new RepositoryCorruptException(name, "blobs do not end where the header begins");
        }

        return entries;
    }

    /// <summary>Reads exactly <paramref name="buffer"/>.Length bytes or reports the pack as truncated.</summary>
    public static async Task ReadExactlyAsync(
        IBlobStore store, BlobName name, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await store.ReadAsync(name, offset, buffer, cancellationToken).ConfigureAwait(false);
        if (read != buffer.Length)
        {
            throw new RepositoryCorruptException(name.ToString(), "file is shorter than its index says (truncated)");
        }
    }
}
