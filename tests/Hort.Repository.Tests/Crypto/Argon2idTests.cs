using Hort.Core;
using Hort.Repository.Crypto;

namespace Hort.Repository.Tests.Crypto;

public sealed class Argon2idTests
{
    private const long SmallMem = 8L * 1024 * 1024;
    private static readonly byte[] Password = "correct horse battery staple"u8.ToArray();
    private static readonly byte[] Salt = "hort-test-salt16"u8.ToArray();

    // Confirmed with the reference implementation's CLI (Debian package argon2):
    //   echo -n "correct horse battery staple" | argon2 hort-test-salt16 -id -t 1 -k 8192 -p 1 -l 32 -r
    [Fact]
    public void Matches_the_reference_implementation_with_small_parameters()
    {
        var key = Argon2id.DeriveKey(Password, Salt, opsLimit: 1, memLimitBytes: SmallMem);

        Assert.Equal("0caca3de8bcbe0f3f1e21a6680334d7f973b0cebac3c3aff3ce37bdcdac730c9", Hex.Encode(key));
    }

    // Confirmed with: echo -n "correct horse battery staple" | argon2 hort-test-salt16 -id -t 3 -m 16 -p 1 -l 32 -r
    [Fact]
    public void Matches_the_reference_implementation_with_default_parameters()
    {
        var key = Argon2id.DeriveKey(Password, Salt, Argon2id.DefaultOpsLimit, Argon2id.DefaultMemLimit);

        Assert.Equal("d805ef694870233c935fb7ed981171631204ed21130791015565d576fe19f6e8", Hex.Encode(key));
    }

    [Fact]
    public void Is_deterministic_and_depends_on_password_and_salt()
    {
        var a = Argon2id.DeriveKey(Password, Salt, 1, SmallMem);
        var again = Argon2id.DeriveKey(Password, Salt, 1, SmallMem);
        var otherSalt = Argon2id.DeriveKey(Password, "hort-test-salt17"u8, 1, SmallMem);
        var otherPassword = Argon2id.DeriveKey("correct horse battery stapler"u8, Salt, 1, SmallMem);
        var otherCost = Argon2id.DeriveKey(Password, Salt, 2, SmallMem);

        Assert.Equal(a, again);
        Assert.NotEqual(a, otherSalt);
        Assert.NotEqual(a, otherPassword);
        Assert.NotEqual(a, otherCost);
    }

    [Fact]
    public void Output_length_is_honoured_and_an_empty_password_works()
    {
        var longer = Argon2id.DeriveKey([], Salt, 1, Argon2id.MinMemLimit, outputLength: 64);

        Assert.Equal(64, longer.Length);
        Assert.Contains(longer, b => b != 0);
    }

    [Fact]
    public void Parameters_below_the_minimum_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Argon2id.DeriveKey(Password, Salt, 0, SmallMem));
        Assert.Throws<ArgumentOutOfRangeException>(() => Argon2id.DeriveKey(Password, Salt, 1, 8 * 1024 - 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Argon2id.DeriveKey(Password, Salt, 1, SmallMem, outputLength: 15));
        Assert.Throws<ArgumentException>(() => Argon2id.DeriveKey(Password, new byte[15], 1, SmallMem));
    }
}
