using System.Text;
using Hort.Dashboard.Tests.Support;

namespace Hort.Dashboard.Tests;

/// <summary>The test's own TOTP against RFC 6238's published test vectors (appendix B, SHA-1), so a browser test's code is right.</summary>
public sealed class TotpTests
{
    private static readonly string Secret = ToBase32(Encoding.ASCII.GetBytes("12345678901234567890"));

    [Theory]
    [InlineData(59, "287082")]
    [InlineData(1111111109, "081804")]
    [InlineData(1111111111, "050471")]
    [InlineData(1234567890, "005924")]
    [InlineData(2000000000, "279037")]
    public void Matches_the_rfc_6238_test_vectors(long unixSeconds, string expected) =>
        Assert.Equal(expected, Totp.Code(Secret, DateTimeOffset.FromUnixTimeSeconds(unixSeconds)));

    [Fact]
    public void Base32_ignores_case_spaces_and_padding() =>
        Assert.Equal(Encoding.ASCII.GetBytes("foobar"), Totp.Base32("mzxw 6ytb oi======"));

    private static string ToBase32(byte[] bytes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder();
        for (var bit = 0; bit < bytes.Length * 8; bit += 5)
        {
            var value = 0;
            for (var i = 0; i < 5; i++)
            {
                var b = bit + i;
                value = (value << 1) | (b < bytes.Length * 8 ? (bytes[b / 8] >> (7 - (b % 8))) & 1 : 0);
            }

            text.Append(alphabet[value]);
        }

        return text.ToString();
    }
}
