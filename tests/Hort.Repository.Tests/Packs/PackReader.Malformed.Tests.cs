using System.Buffers.Binary;
using System.Security.Cryptography;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Repository.Packs;
using Hort.Repository.Tests.Format;
using Hort.Storage;

namespace Hort.Repository.Tests.Packs;

public sealed class PackReaderMalformedTests : IDisposable
{
    private readonly MasterKey _key = new(Enumerable.Range(7, 32).Select(i => (byte)i).ToArray());
    private readonly BlobCodec _codec;
    private readonly PackRoundtripTests.WrittenPack[] _packs;

    public PackReaderMalformedTests()
    {
        _codec = new BlobCodec(_key);
        _packs = [MakePack(0, 0), MakePack(1, 1), MakePack(3, 2), MakePack(12, 3)];
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Mutated_packs_named_by_their_new_hash_parse_consistently_or_are_rejected()
    {
        foreach (var mutant in MalformedInput.Mutations(_packs.Select(p => p.Content).ToArray(), 3000))
        {
            var id = new ObjectId(SHA256.HashData(mutant.Bytes));
            MalformedInput.AssertDecodesOrRejects(
                mutant, b => PackReader.ParseWholePack(_codec.Cipher, id, b), entries => AssertConsistent(entries, mutant.Bytes));
        }
    }

    [Fact]
    public void A_pack_whose_bytes_do_not_hash_to_its_name_is_rejected()
    {
        foreach (var pack in _packs)
        {
            foreach (var mutant in MalformedInput.Mutations([pack.Content], 100).Where(m => !m.Bytes.AsSpan().SequenceEqual(pack.Content)))
            {
                var e = Assert.Throws<RepositoryCorruptException>(() => PackReader.ParseWholePack(_codec.Cipher, pack.Id, mutant.Bytes));
                Assert.Equal(BlobName.For(BlobKind.Pack, pack.Id).ToString(), e.ObjectName);
            }
        }
    }

    [Fact]
    public void Truncated_packs_are_rejected()
    {
        foreach (var pack in _packs)
        {
            foreach (var mutant in MalformedInput.Truncations(pack.Content))
            {
                var id = new ObjectId(SHA256.HashData(mutant.Bytes));
                MalformedInput.AssertDecodesOrRejects(
                    mutant, b => PackReader.ParseWholePack(_codec.Cipher, id, b), _ => Assert.Fail("a truncated pack parsed"));
            }
        }
    }

    [Fact]
    public void Authentic_headers_with_malformed_content_parse_consistently_or_are_rejected()
    {
        // The header is authenticated, so mutated ciphertext never reaches the entry decoder. Sealing mutated
        // plaintext with the right key does, as a buggy or hostile writer holding the key could.
        var headers = _packs.Select(p => HeaderPlaintext(p.Entries)).ToArray();
        foreach (var mutant in MalformedInput.Mutations(headers, 3000))
        {
            var body = _packs.OrderBy(p => Math.Abs(p.Entries.Count - EntryCountOf(mutant.Bytes))).First();
            var content = Assemble(body, mutant.Bytes);
            var id = new ObjectId(SHA256.HashData(content));
            MalformedInput.AssertDecodesOrRejects(
                mutant with { Bytes = content }, b => PackReader.ParseWholePack(_codec.Cipher, id, b), entries => AssertConsistent(entries, content));
        }
    }

    [Fact]
    public async Task Header_reads_of_truncated_or_mislabelled_packs_are_rejected()
    {
        var store = new InMemoryBlobStore();
        foreach (var pack in _packs)
        {
            var name = BlobName.For(BlobKind.Pack, pack.Id);
            foreach (var mutant in MalformedInput.Truncations(pack.Content, maxCount: 60))
            {
                await store.PutAsync(name, mutant.Bytes, Ct);

                // Once with the length the store reports, once with the length an index recorded before the damage.
                await Assert.ThrowsAsync<RepositoryCorruptException>(
                    () => PackReader.ReadHeaderAsync(store, _codec.Cipher, pack.Id, mutant.Bytes.Length, Ct));
                var e = await Assert.ThrowsAsync<RepositoryCorruptException>(
                    () => PackReader.ReadHeaderAsync(store, _codec.Cipher, pack.Id, pack.Content.Length, Ct));
                Assert.Equal(name.ToString(), e.ObjectName);
            }
        }
    }

    [Fact]
    public async Task Header_reads_of_mutated_packs_give_consistent_entries_or_are_rejected()
    {
        var store = new InMemoryBlobStore();
        var name = BlobName.For(BlobKind.Pack, _packs[3].Id);
        foreach (var mutant in MalformedInput.Mutations([_packs[3].Content], 500))
        {
            await store.PutAsync(name, mutant.Bytes, Ct);
            try
            {
                var entries = await PackReader.ReadHeaderAsync(store, _codec.Cipher, _packs[3].Id, mutant.Bytes.Length, Ct);
                AssertConsistent(entries, mutant.Bytes);
            }
            catch (RepositoryCorruptException e)
            {
                Assert.Equal(name.ToString(), e.ObjectName);
            }
        }
    }

    private static void AssertConsistent(IReadOnlyList<PackEntry> entries, byte[] content)
    {
        var headerStart = content.Length - 4 - BinaryPrimitives.ReadUInt32LittleEndian(content.AsSpan(content.Length - 4));
        long expected = FormatVersion.PackMagic.Length;
        foreach (var entry in entries)
        {
            Assert.Equal(expected, entry.Offset);
            Assert.True(entry.StoredLength >= ObjectCipher.Overhead, "an entry is shorter than an envelope");
            expected += entry.StoredLength;
        }

        Assert.Equal(headerStart, expected);
    }

    private PackRoundtripTests.WrittenPack MakePack(int blobCount, int seed)
    {
        using var writer = new PackWriter(_codec);
        for (var i = 0; i < blobCount; i++)
        {
            var raw = PackRoundtripTests.MakeBytes(10 + (i * 37 % 300), (seed * 100) + i, compressible: i % 2 == 0);
            writer.Add(i % 3 == 0 ? BlobType.Tree : BlobType.Data, _key.ComputeChunkId(raw), raw);
        }

        using var finished = writer.Finish();
        return new PackRoundtripTests.WrittenPack(finished.Id, finished.Content.ToArray(), finished.Entries);
    }

    private static byte[] HeaderPlaintext(IReadOnlyList<PackEntry> entries)
    {
        var plain = new byte[4 + (entries.Count * PackEntry.Size)];
        BinaryPrimitives.WriteUInt32LittleEndian(plain, (uint)entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            entries[i].Write(plain.AsSpan(4 + (i * PackEntry.Size)));
        }

        return plain;
    }

    private static int EntryCountOf(byte[] header) => header.Length < 4 ? 0 : (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(header), 1000);

    /// <summary>The pack's blobs followed by <paramref name="headerPlaintext"/> sealed as a header.</summary>
    private byte[] Assemble(PackRoundtripTests.WrittenPack body, byte[] headerPlaintext)
    {
        var headerStart = body.Content.Length - 4 - (int)BinaryPrimitives.ReadUInt32LittleEndian(body.Content.AsSpan(body.Content.Length - 4));
        var envelope = _codec.Cipher.Encrypt(headerPlaintext, FormatVersion.PackHeaderContext);
        var trailer = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, (uint)envelope.Length);
        return [.. body.Content.AsSpan(0, headerStart), .. envelope, .. trailer];
    }

    public void Dispose() => _key.Dispose();
}
