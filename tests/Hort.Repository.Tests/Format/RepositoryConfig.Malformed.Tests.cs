using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Format;

namespace Hort.Repository.Tests.Format;

public sealed class RepositoryConfigMalformedTests
{
    private static readonly ObjectCipher Cipher = new(Enumerable.Range(21, 32).Select(i => (byte)i).ToArray());

    private static readonly byte[][] Valid = RepositoryConfigRoundtripTests.Configs
        .Sample(10, new Rnd(MalformedInput.Seed), 8)
        .Select(c => c.ToJson())
        .ToArray();

    private static readonly Type[] Allowed = [typeof(RepositoryCorruptException), typeof(UnsupportedFormatException)];

    [Fact]
    public void Mutated_json_decodes_to_a_valid_config_or_is_rejected()
    {
        foreach (var mutant in MalformedInput.Mutations(Valid, 3000).Concat(JsonMutations.Mutations(Valid, 3000)))
        {
            MalformedInput.AssertDecodesOrRejects(mutant, b => RepositoryConfig.FromJson(b), AssertValid, Allowed);
        }
    }

    [Fact]
    public void Truncated_json_is_rejected()
    {
        foreach (var mutant in MalformedInput.Truncations(Valid[0]))
        {
            MalformedInput.AssertDecodesOrRejects(mutant, b => RepositoryConfig.FromJson(b), _ => Assert.Fail("a truncated config decoded"), Allowed);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"id\":\"00\",\"chunker\":{}}")]
    public void Malformed_configs_are_rejected_as_corruption_of_the_config(string json)
    {
        var e = Assert.Throws<RepositoryCorruptException>(() => RepositoryConfig.FromJson(Encoding.UTF8.GetBytes(json)));

        Assert.Equal("config", e.ObjectName);
    }

    [Theory]
    [InlineData("chunker", "fastcdc-gear-hmac-sha256", "rabin")]
    [InlineData("chunk ID", "\"chunkId\": \"hmac-sha256\"", "\"chunkId\": \"blake3\"")]
    [InlineData("cipher", "aes-256-gcm-hmac-sha256-subkey", "chacha20-poly1305")]
    [InlineData("compression", "\"zstd\"", "\"lz4\"")]
    public void An_unknown_algorithm_is_refused_as_unsupported_naming_it(string what, string known, string unknown)
    {
        var json = Encoding.UTF8.GetString(Valid[0]);
        Assert.Contains(known, json, StringComparison.Ordinal);

        var e = Assert.Throws<UnsupportedFormatException>(() => RepositoryConfig.FromJson(Encoding.UTF8.GetBytes(json.Replace(known, unknown, StringComparison.Ordinal))));

        Assert.Contains(what, e.Message, StringComparison.Ordinal);
        Assert.Contains(unknown.Trim('"').Split('"')[^1], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Changes_to_a_stored_config_are_refused_with_the_error_that_fits_the_changed_part()
    {
        var stored = Valid.Select(json => RepositoryConfig.FromJson(json).Seal(Cipher)).ToArray();
        foreach (var mutant in MalformedInput.Mutations(stored, 1000).Concat(MalformedInput.Truncations(stored[0], 100)))
        {
            if (stored.Any(s => s.AsSpan().SequenceEqual(mutant.Bytes)))
            {
                continue;
            }

            var bytes = mutant.Bytes;
            var e = Assert.ThrowsAny<HortException>(() => RepositoryConfig.Open(Cipher, bytes, "/srv/repo"));
            var headerIntact = bytes.Length >= 12 && bytes.AsSpan(0, 8).SequenceEqual(FormatVersion.ConfigMagic);
            var expected = !headerIntact ? typeof(RepositoryNotFoundException)
                : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)) != FormatVersion.Current ? typeof(UnsupportedFormatException)
                : typeof(RepositoryCorruptException);
            Assert.True(e.GetType() == expected, $"{mutant.How}: {e.GetType().Name} ({e.Message}), expected {expected.Name}");
        }
    }

    [Fact]
    public void A_file_that_is_not_a_config_is_not_a_repository()
    {
        foreach (var bytes in new[] { Array.Empty<byte>(), new byte[11], "{\"version\":1}"u8.ToArray(), new byte[100] })
        {
            var e = Assert.Throws<RepositoryNotFoundException>(() => RepositoryConfig.ReadVersion(bytes, "/srv/repo"));

            Assert.Contains("/srv/repo is not a hort repository", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Any_other_version_is_refused_naming_both_versions()
    {
        foreach (var version in new uint[] { 0, 2, 3, uint.MaxValue })
        {
            var stored = RepositoryConfig.FromJson(Valid[0]).Seal(Cipher);
            BinaryPrimitives.WriteUInt32LittleEndian(stored.AsSpan(8), version);

            var e = Assert.Throws<UnsupportedFormatException>(() => RepositoryConfig.CheckVersion(stored, "/srv/repo"));

            Assert.Contains($"format version {version}", e.Message, StringComparison.Ordinal);
            Assert.Contains("reads format version 1", e.Message, StringComparison.Ordinal);
        }
    }

    private static void AssertValid(RepositoryConfig config)
    {
        config.Chunker.Validate();
        Assert.InRange(config.PackSize, 1 << 16, 1 << 30);
        Assert.Equal(config, RepositoryConfig.FromJson(config.ToJson()));
    }
}
