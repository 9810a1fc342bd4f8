using System.Text;
using Hort.Server.Security;

namespace Hort.Server.Tests;

public sealed class TotpTests
{
    /// <summary>RFC 6238 Appendix B, the SHA-1 rows: the 20-byte ASCII seed, 8 digits.</summary>
    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Rfc6238_sha1_vectors(long unixSeconds, string expected)
    {
        var seed = Encoding.ASCII.GetBytes("12345678901234567890");
        var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));
        Assert.Equal(expected, Totp.Code(seed, step, digits: 8));
        // The 6-digit code apps show is the same number's last six digits.
        Assert.Equal(expected[2..], Totp.Code(seed, step));
    }

    [Fact]
    public void A_code_matches_its_step_and_one_step_either_side_but_not_two()
    {
        var secret = Totp.NewSecret();
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_015);
        var step = Totp.StepAt(now);
        Assert.Equal(step, Totp.Match(secret, Totp.Code(secret, step), now));
        Assert.Equal(step - 1, Totp.Match(secret, Totp.Code(secret, step - 1), now));
        Assert.Equal(step + 1, Totp.Match(secret, Totp.Code(secret, step + 1)[..3] + " " + Totp.Code(secret, step + 1)[3..], now));
        Assert.Null(Totp.Match(secret, Totp.Code(secret, step - 2), now));
        Assert.Null(Totp.Match(secret, Totp.Code(secret, step + 2), now));
        Assert.Null(Totp.Match(secret, "", now));
        Assert.Null(Totp.Match(secret, "12345a", now));
        Assert.Null(Totp.Match(secret, null, now));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void Base32_follows_rfc4648_without_padding(string data, string encoded)
    {
        Assert.Equal(encoded, Base32.Encode(Encoding.ASCII.GetBytes(data)));
        Assert.Equal(data, Encoding.ASCII.GetString(Base32.Decode(encoded.ToLowerInvariant() + "===")!));
        Assert.Null(Base32.Decode("MZ1"));
    }

    [Fact]
    public void The_provisioning_uri_names_issuer_user_and_secret()
    {
        var secret = Encoding.ASCII.GetBytes("12345678901234567890");
        Assert.Equal("otpauth://totp/Hort:anna%20b?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Hort", Totp.ProvisioningUri("Hort", "anna b", secret));
    }
}
