using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Tests.Chunking;

namespace Hort.Repository.Tests.Crypto;

public sealed class ObjectCipherTests
{
    // The format's test vectors use the encryption subkey of the master key 00 01 … 1f and the salt 40 41 … 57.
    private static readonly byte[] Salt = Enumerable.Range(0x40, 24).Select(i => (byte)i).ToArray();
    private readonly ObjectCipher _cipher;

    public ObjectCipherTests()
    {
        using var master = new MasterKey(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());
        _cipher = new ObjectCipher(master.EncryptionKey);
    }

    // Expected envelopes computed with Python's hmac and cryptography.AESGCM, independently of this code.
    [Fact]
    public void Envelope_matches_the_format_test_vector()
    {
        var plaintext = "hort object cipher test vector"u8;
        var envelope = new byte[plaintext.Length + ObjectCipher.Overhead];

        var written = _cipher.Encrypt(plaintext, "hort/v1/test"u8, Salt, envelope);

        Assert.Equal(envelope.Length, written);
        Assert.Equal(
            "404142434445464748494a4b4c4d4e4f5051525354555657"
            + "09b6bd36f0a77f371707d6de1408a8120fe5d4f556ebe365ebb271afbdb1"
            + "d22b25f7e2ad8c0d36ef63551b031ffd",
            Hex.Encode(envelope));
        Assert.Equal(plaintext.ToArray(), _cipher.Decrypt(envelope, "hort/v1/test"u8, "vector"));
    }

    [Fact]
    public void Envelope_of_nothing_matches_the_format_test_vector()
    {
        var envelope = new byte[ObjectCipher.Overhead];

        _cipher.Encrypt([], [], Salt, envelope);

        Assert.Equal("404142434445464748494a4b4c4d4e4f5051525354555657b57a0e65ee0af98f3cdff9564481f0c1", Hex.Encode(envelope));
        Assert.Empty(_cipher.Decrypt(envelope, [], "vector"));
    }

    [Fact]
    public void Round_trips_any_size_and_associated_data()
    {
        var sizes = Gen.Choose(0, 1 << 20).ToArbitrary();
        var seeds = ArbMap.Default.ArbFor<int>();
        var adLengths = Gen.Choose(0, 100).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), Prop.ForAll(sizes, seeds, adLengths, (size, seed, adLength) =>
        {
            var plaintext = TestBytes.Random(size, seed);
            var ad = TestBytes.Random(adLength, ~seed);

            var envelope = _cipher.Encrypt(plaintext, ad);
            var decrypted = new byte[size];
            var ok = _cipher.TryDecrypt(envelope, ad, decrypted, out var written);

            Assert.Equal(size + ObjectCipher.Overhead, envelope.Length);
            Assert.True(ok);
            Assert.Equal(size, written);
            Assert.Equal(plaintext, decrypted);
        }));
    }

    [Fact]
    public void Encrypting_in_place_gives_an_envelope_that_opens_to_the_plaintext()
    {
        var sizes = Gen.Choose(0, 1 << 18).ToArbitrary();
        var seeds = ArbMap.Default.ArbFor<int>();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(30), Prop.ForAll(sizes, seeds, (size, seed) =>
        {
            var plaintext = TestBytes.Random(size, seed);
            var ad = TestBytes.Random(33, ~seed);
            var envelope = new byte[size + ObjectCipher.Overhead + 7];
            plaintext.CopyTo(envelope, ObjectCipher.SaltSize);

            var length = _cipher.EncryptInPlace(envelope, size, ad);

            Assert.Equal(size + ObjectCipher.Overhead, length);
            var decrypted = new byte[size];
            Assert.True(_cipher.TryDecrypt(envelope.AsSpan(0, length), ad, decrypted, out var written));
            Assert.Equal(size, written);
            Assert.Equal(plaintext, decrypted);
        }));
    }

    [Fact]
    public void Any_flipped_bit_fails_authentication_and_leaves_no_plaintext()
    {
        var sizes = Gen.Choose(0, 4096).ToArbitrary();
        var seeds = ArbMap.Default.ArbFor<int>();
        var positions = Gen.Choose(0, int.MaxValue).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(sizes, seeds, positions, (size, seed, position) =>
        {
            var envelope = _cipher.Encrypt(TestBytes.Random(size, seed), "ad"u8);
            var bit = position % (envelope.Length * 8);
            envelope[bit / 8] ^= (byte)(1 << (bit % 8));
            var destination = new byte[size];

            Assert.False(_cipher.TryDecrypt(envelope, "ad"u8, destination, out var written));
            Assert.Equal(0, written);
            Assert.All(destination, b => Assert.Equal(0, b));
        }));
    }

    [Theory]
    [InlineData(0)] // salt
    [InlineData(23)] // last salt byte
    [InlineData(24)] // first ciphertext byte
    [InlineData(1023)] // inside the ciphertext
    [InlineData(1024 + 24)] // first tag byte
    [InlineData(1024 + 39)] // last tag byte
    public void A_flipped_byte_in_each_part_fails_authentication(int index)
    {
        var envelope = _cipher.Encrypt(TestBytes.Random(1024, 1), "ad"u8);
        envelope[index] ^= 0x80;

        Assert.False(_cipher.TryDecrypt(envelope, "ad"u8, new byte[1024], out _));
    }

    [Fact]
    public void Wrong_associated_data_fails_authentication()
    {
        var envelope = _cipher.Encrypt("secret"u8, "blob 1"u8);

        Assert.False(_cipher.TryDecrypt(envelope, "blob 2"u8, new byte[6], out _));
        Assert.False(_cipher.TryDecrypt(envelope, [], new byte[6], out _));
    }

    [Fact]
    public void Another_key_fails_authentication()
    {
        var envelope = _cipher.Encrypt("secret"u8, []);
        var other = new ObjectCipher(TestBytes.Random(32, 5));

        Assert.False(other.TryDecrypt(envelope, [], new byte[6], out _));
    }

    [Fact]
    public void Encrypting_the_same_plaintext_twice_gives_different_envelopes()
    {
        var plaintext = TestBytes.Random(100, 3);

        var a = _cipher.Encrypt(plaintext, []);
        var b = _cipher.Encrypt(plaintext, []);

        Assert.NotEqual(a.AsSpan(0, ObjectCipher.SaltSize).ToArray(), b.AsSpan(0, ObjectCipher.SaltSize).ToArray());
        Assert.NotEqual(a.AsSpan(ObjectCipher.SaltSize).ToArray(), b.AsSpan(ObjectCipher.SaltSize).ToArray());
    }

    [Fact]
    public void Truncated_envelopes_are_rejected()
    {
        var envelope = _cipher.Encrypt(TestBytes.Random(64, 4), []);

        for (var length = 0; length < envelope.Length; length++)
        {
            Assert.False(_cipher.TryDecrypt(envelope.AsSpan(0, length), [], new byte[64], out var written));
            Assert.Equal(0, written);
        }
    }

    [Fact]
    public void Decrypt_names_the_damaged_object()
    {
        var envelope = _cipher.Encrypt("secret"u8, []);
        envelope[^1] ^= 1;

        var e = Assert.Throws<RepositoryCorruptException>(() => _cipher.Decrypt(envelope, [], "snapshots/ab12"));
        Assert.Equal("snapshots/ab12", e.ObjectName);
        Assert.Equal("authentication failed: the data was altered or damaged", e.Problem);

        var shortOne = Assert.Throws<RepositoryCorruptException>(() => _cipher.Decrypt(new byte[39], [], "index/cd34"));
        Assert.Equal("index/cd34", shortOne.ObjectName);
    }

    [Fact]
    public void Encrypt_into_a_span_writes_salt_ciphertext_and_tag_only()
    {
        var destination = new byte[10 + ObjectCipher.Overhead + 5];
        destination.AsSpan().Fill(0xEE);

        var written = _cipher.Encrypt(TestBytes.Random(10, 6), [], destination);

        Assert.Equal(10 + ObjectCipher.Overhead, written);
        Assert.All(destination[written..], b => Assert.Equal(0xEE, b));
        Assert.True(_cipher.TryDecrypt(destination.AsSpan(0, written), [], new byte[10], out _));
    }

    [Fact]
    public void A_destination_too_small_is_a_caller_error()
    {
        Assert.Throws<ArgumentException>(() => _cipher.Encrypt(new byte[10], [], new byte[10 + ObjectCipher.Overhead - 1]));
        var envelope = _cipher.Encrypt(new byte[10], []);
        Assert.Throws<ArgumentException>(() => _cipher.TryDecrypt(envelope, [], new byte[9], out _));
        Assert.Throws<ArgumentException>(() => new ObjectCipher(new byte[16]));
    }
}
