using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Tests.Format;

namespace Hort.Repository.Tests.Indexing;

public sealed class IndexFileMalformedTests
{
    private static readonly ObjectCipher Cipher = new(Enumerable.Range(50, 32).Select(i => (byte)i).ToArray());

    private readonly byte[][] _stored;
    private readonly byte[][] _plaintexts;

    public IndexFileMalformedTests()
    {
        var files = IndexFileRoundtripTests.Files.Sample(8, new FsCheck.Rnd(MalformedInput.Seed), 12).ToList();
        files.Add(new IndexFile([], []));
        _stored = files.Select(f => f.Seal(Cipher)).ToArray();
        _plaintexts = _stored.Select(s => Cipher.Decrypt(s, FormatVersion.IndexContext, "index/test")).ToArray();
    }

    [Fact]
    public void Any_change_to_a_stored_index_is_rejected_as_corruption_naming_it()
    {
        foreach (var mutant in MalformedInput.Mutations(_stored, 2000).Concat(_stored.SelectMany(s => MalformedInput.Truncations(s, 50))))
        {
            if (_stored.Any(s => s.AsSpan().SequenceEqual(mutant.Bytes)))
            {
                continue;
            }

            var e = Assert.Throws<RepositoryCorruptException>(() => IndexFile.Open(Cipher, mutant.Bytes, "index/abcd"));
            Assert.Equal("index/abcd", e.ObjectName);
        }
    }

    [Fact]
    public void Authentic_but_malformed_plaintext_decodes_canonically_or_is_rejected()
    {
        foreach (var mutant in MalformedInput.Mutations(_plaintexts, 4000))
        {
            var stored = Cipher.Encrypt(mutant.Bytes, FormatVersion.IndexContext);
            MalformedInput.AssertDecodesOrRejects(mutant, _ => IndexFile.Open(Cipher, stored, "index/test"), file =>
            {
                // Whatever decodes must encode back to the very same bytes: no field is dropped or clamped.
                var again = Cipher.Decrypt(file.Seal(Cipher), FormatVersion.IndexContext, "index/test");
                Assert.Equal(mutant.Bytes, again);
            });
        }
    }

    [Fact]
    public void Authentic_but_truncated_plaintext_is_rejected()
    {
        foreach (var plain in _plaintexts.Where(p => p.Length > 8))
        {
            foreach (var mutant in MalformedInput.Truncations(plain, 200))
            {
                var stored = Cipher.Encrypt(mutant.Bytes, FormatVersion.IndexContext);
                MalformedInput.AssertDecodesOrRejects(
                    mutant, _ => IndexFile.Open(Cipher, stored, "index/test"), _ => Assert.Fail("a truncated index decoded"));
            }
        }
    }
}
