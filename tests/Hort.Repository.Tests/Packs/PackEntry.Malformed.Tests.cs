using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Packs;
using Hort.Repository.Tests.Format;

namespace Hort.Repository.Tests.Packs;

public sealed class PackEntryMalformedTests
{
    private static readonly byte[][] ValidEntries = MakeValid();

    [Fact]
    public void Mutated_entries_decode_to_an_entry_that_re_encodes_identically_or_are_rejected()
    {
        foreach (var mutant in MalformedInput.Mutations(ValidEntries, 3000).Where(m => m.Bytes.Length == PackEntry.Size))
        {
            MalformedInput.AssertDecodesOrRejects(mutant, b => PackEntry.Read(b, "test"), entry =>
            {
                var again = new byte[PackEntry.Size];
                entry.Write(again);
                Assert.Equal(mutant.Bytes, again);
            });
        }
    }

    [Fact]
    public void Every_unknown_type_and_compression_byte_is_rejected_naming_the_container()
    {
        for (var value = 0; value < 256; value++)
        {
            var typeMutant = ValidEntries[0].ToArray();
            typeMutant[0] = (byte)value;
            var compressionMutant = ValidEntries[0].ToArray();
            compressionMutant[1] = (byte)value;

            if (value is not ((byte)BlobType.Data or (byte)BlobType.Tree))
            {
                var e = Assert.Throws<RepositoryCorruptException>(() => PackEntry.Read(typeMutant, "index/abcd"));
                Assert.Equal("index/abcd", e.ObjectName);
            }

            if (value is not ((byte)CompressionKind.None or (byte)CompressionKind.Zstd))
            {
                var e = Assert.Throws<RepositoryCorruptException>(() => PackEntry.Read(compressionMutant, "index/abcd"));
                Assert.Contains("compression", e.Problem, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Non_zero_reserved_bytes_are_rejected()
    {
        for (var at = 2; at < 4; at++)
        {
            var bytes = ValidEntries[0].ToArray();
            bytes[at] = 1;

            Assert.Throws<RepositoryCorruptException>(() => PackEntry.Read(bytes, "test"));
        }
    }

    [Fact]
    public void Truncated_entries_are_rejected_as_corruption()
    {
        foreach (var mutant in MalformedInput.Truncations(ValidEntries[0]))
        {
            MalformedInput.AssertDecodesOrRejects(mutant, b => PackEntry.Read(b, "test"), _ => Assert.Fail("a truncated entry decoded"));
        }
    }

    private static byte[][] MakeValid()
    {
        var random = new Random(MalformedInput.Seed);
        var list = new List<byte[]>();
        foreach (var type in new[] { BlobType.Data, BlobType.Tree })
        {
            foreach (var compression in new[] { CompressionKind.None, CompressionKind.Zstd })
            {
                var id = new byte[ObjectId.Size];
                random.NextBytes(id);
                var bytes = new byte[PackEntry.Size];
                new PackEntry(type, compression, (uint)random.Next(), (uint)random.Next(), (uint)random.Next(), new ObjectId(id)).Write(bytes);
                list.Add(bytes);
            }
        }

        return [.. list];
    }
}
