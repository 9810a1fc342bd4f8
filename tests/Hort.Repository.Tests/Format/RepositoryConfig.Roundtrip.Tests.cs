using System.Buffers.Binary;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Chunking;
using Hort.Repository.Crypto;
using Hort.Repository.Format;

namespace Hort.Repository.Tests.Format;

public sealed class RepositoryConfigRoundtripTests
{
    private static readonly ObjectCipher Cipher = new(Enumerable.Range(9, 32).Select(i => (byte)i).ToArray());

    /// <summary>Every valid combination of chunker sizes and pack size, extremes included.</summary>
    internal static Gen<RepositoryConfig> Configs { get; } =
        from id in FormatGen.Id
        from averageBits in Gen.Choose(7, 25)
        from min in Gen.Frequency((1, Gen.Constant(ChunkerParameters.MinimumMinSize)), (3, Gen.Choose(ChunkerParameters.MinimumMinSize, (1 << averageBits) - 1)))
        from max in Gen.Frequency((1, Gen.Constant(ChunkerParameters.MaximumMaxSize)), (3, Gen.Choose((1 << averageBits) + 1, ChunkerParameters.MaximumMaxSize)))
        from packSize in Gen.Frequency((1, Gen.Elements(1 << 16, 1 << 30, RepositoryConfig.DefaultPackSize)), (3, Gen.Choose(1 << 16, 1 << 30)))
        select new RepositoryConfig { Id = id, Chunker = new ChunkerParameters(min, 1 << averageBits, max), PackSize = packSize };

    [Fact]
    public void ToJson_then_FromJson_gives_back_the_config()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Configs.ToArbitrary(), config =>
        {
            Assert.Equal(config, RepositoryConfig.FromJson(config.ToJson()));
        }));
    }

    [Fact]
    public void Seal_then_Open_gives_back_the_config()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(Configs.ToArbitrary(), config =>
        {
            var stored = config.Seal(Cipher);

            Assert.Equal(config, RepositoryConfig.Open(Cipher, stored, "/repo"));
            Assert.Equal(FormatVersion.Current, RepositoryConfig.ReadVersion(stored, "/repo"));
        }));
    }

    [Fact]
    public void Stored_config_starts_with_the_magic_and_version_readable_without_a_key()
    {
        var config = new RepositoryConfig { Id = default, Chunker = ChunkerParameters.Default };

        var stored = config.Seal(Cipher);

        Assert.Equal("b2e7aeaa6b6ac493", Hex.Encode(stored.AsSpan(0, 8)));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(stored.AsSpan(8)));
        Assert.Equal(12 + config.ToJson().Length + ObjectCipher.Overhead, stored.Length);
    }

    [Fact]
    public void Json_names_every_algorithm_by_its_stable_name()
    {
        var config = new RepositoryConfig { Id = default, Chunker = new ChunkerParameters(256, 1024, 4096), PackSize = 1 << 20 };

        using var json = JsonDocument.Parse(config.ToJson());
        var root = json.RootElement;

        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal(new string('0', 64), root.GetProperty("id").GetString());
        Assert.Equal("fastcdc-gear-hmac-sha256", root.GetProperty("chunker").GetProperty("algorithm").GetString());
        Assert.Equal(256, root.GetProperty("chunker").GetProperty("minSize").GetInt32());
        Assert.Equal(1024, root.GetProperty("chunker").GetProperty("averageSize").GetInt32());
        Assert.Equal(4096, root.GetProperty("chunker").GetProperty("maxSize").GetInt32());
        Assert.Equal("hmac-sha256", root.GetProperty("chunkId").GetString());
        Assert.Equal("aes-256-gcm-hmac-sha256-subkey", root.GetProperty("cipher").GetString());
        Assert.Equal("zstd", root.GetProperty("compression").GetString());
        Assert.Equal(1 << 20, root.GetProperty("packSize").GetInt32());
    }
}
