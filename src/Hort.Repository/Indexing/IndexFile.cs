using System.Buffers.Binary;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Repository.Packs;

namespace Hort.Repository.Indexing;

/// <summary>One pack as an index file lists it: its name, its length and its blobs.</summary>
public sealed record IndexedPack(ObjectId PackId, long Length, IReadOnlyList<PackEntry> Entries);

/// <summary>
/// Codec of an index file: the list of packs written together and the index files it replaces.
/// Plaintext: <c>uint32 supersededCount · id×n · uint32 packCount · (packId · uint64 length · uint32 blobCount · entry×m)×n</c>,
/// stored as one envelope with associated data "hort/v1/index".
/// </summary>
public sealed record IndexFile(IReadOnlyList<ObjectId> Supersedes, IReadOnlyList<IndexedPack> Packs)
{
    /// <summary>Encodes and encrypts the index file.</summary>
    public byte[] Seal(ObjectCipher cipher)
    {
        var length = 4 + (Supersedes.Count * ObjectId.Size) + 4;
        foreach (var pack in Packs)
        {
            length += ObjectId.Size + 8 + 4 + (pack.Entries.Count * PackEntry.Size);
        }

        var plain = new byte[length];
        var span = plain.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)Supersedes.Count);
        var at = 4;
        foreach (var id in Supersedes)
        {
            id.WriteTo(span.Slice(at, ObjectId.Size));
            at += ObjectId.Size;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)Packs.Count);
        at += 4;
        foreach (var pack in Packs)
        {
            pack.PackId.WriteTo(span.Slice(at, ObjectId.Size));
            at += ObjectId.Size;
            BinaryPrimitives.WriteUInt64LittleEndian(span[at..], (ulong)pack.Length);
            at += 8;
            BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)pack.Entries.Count);
            at += 4;
            foreach (var entry in pack.Entries)
            {
                entry.Write(span.Slice(at, PackEntry.Size));
                at += PackEntry.Size;
            }
        }

        return cipher.Encrypt(plain, FormatVersion.IndexContext);
    }

    /// <summary>Decrypts and decodes an index file, checking every count against the data's length.</summary>
    public static IndexFile Open(ObjectCipher cipher, ReadOnlySpan<byte> stored, string objectName)
    {
        var plain = cipher.Decrypt(stored, FormatVersion.IndexContext, objectName);
        var reader = new SpanReader(plain, objectName);
        var supersededCount = reader.ReadCount(ObjectId.Size);
        var supersedes = new List<ObjectId>(supersededCount);
        for (var i = 0; i < supersededCount; i++)
        {
            supersedes.Add(reader.ReadId());
        }

        var packCount = reader.ReadCount(ObjectId.Size + 12);
        var packs = new List<IndexedPack>(packCount);
        for (var p = 0; p < packCount; p++)
        {
            var packId = reader.ReadId();
            var packLength = reader.ReadUInt64();
            if (packLength > long.MaxValue)
            {
                throw new RepositoryCorruptException(objectName, "pack length out of range");
            }

            var blobCount = reader.ReadCount(PackEntry.Size);
            var entries = new PackEntry[blobCount];
            for (var b = 0; b < blobCount; b++)
            {
                var entry = PackEntry.Read(reader.ReadBytes(PackEntry.Size), objectName);
                if (entry.Offset + (ulong)entry.StoredLength > packLength)
                {
                    throw new RepositoryCorruptException(objectName, $"blob {entry.Id} lies outside pack {packId}");
                }

                entries[b] = entry;
            }

            packs.Add(new IndexedPack(packId, (long)packLength, entries));
        }

        reader.ExpectEnd();
        return new IndexFile(supersedes, packs);
    }
}
