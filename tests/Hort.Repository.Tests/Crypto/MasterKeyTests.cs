using Hort.Core;
using Hort.Repository.Crypto;

namespace Hort.Repository.Tests.Crypto;

public sealed class MasterKeyTests
{
    // Expected values computed with Python's hmac/hashlib, independently of this code.
    private static readonly byte[] Master = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    [Fact]
    public void Subkeys_are_HMAC_SHA256_of_the_labels()
    {
        using var key = new MasterKey(Master);

        Assert.Equal("4d1d14a259e0445b83232e55d801fbdf5cd756da6bc1371a5002b84df2c4244e", Hex.Encode(key.EncryptionKey));
        Assert.Equal("7416bbc2fe205355949d3a0a53c465d88e0555db2249c7c701983244f9487605", Hex.Encode(key.ChunkIdKey));
        Assert.Equal("09d041c389cc2ba104b81215df6a7149e0d8f6329354edece6fb2e5df8a1ce83", Hex.Encode(key.ChunkerKey));
        Assert.Equal(Master, key.Bytes.ToArray());
    }

    [Fact]
    public void Chunk_id_is_HMAC_SHA256_under_the_chunk_id_key()
    {
        using var key = new MasterKey(Master);

        var id = key.ComputeChunkId("hello, hort"u8);

        Assert.Equal(ObjectId.Parse("e7386a52566e7d7bde6e9f582354f3d04a45dc2ea271031f0c737120308525cf"), id);
    }

    [Fact]
    public void Chunk_ids_agree_across_threads()
    {
        using var key = MasterKey.Generate();
        var data = new byte[4096];
        new Random(7).NextBytes(data);
        var expected = key.ComputeChunkId(data);

        var ids = new ObjectId[64];
        Parallel.For(0, ids.Length, i => ids[i] = key.ComputeChunkId(data));

        Assert.All(ids, id => Assert.Equal(expected, id));
    }

    [Fact]
    public void Generated_keys_differ()
    {
        using var a = MasterKey.Generate();
        using var b = MasterKey.Generate();

        Assert.False(a.Bytes.SequenceEqual(b.Bytes));
        Assert.Equal(MasterKey.Size, a.Bytes.Length);
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => new MasterKey(new byte[31]));
        Assert.Throws<ArgumentException>(() => new MasterKey(new byte[33]));
    }

    [Fact]
    public void A_disposed_key_cannot_be_used()
    {
        var key = new MasterKey(Master);
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.Bytes.ToArray());
        Assert.Throws<ObjectDisposedException>(() => key.EncryptionKey.ToArray());
        Assert.Throws<ObjectDisposedException>(() => key.ComputeChunkId([1, 2, 3]));
    }
}
