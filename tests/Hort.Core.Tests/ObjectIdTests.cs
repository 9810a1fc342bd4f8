using FsCheck;
using FsCheck.Fluent;
using Hort.Core;

namespace Hort.Core.Tests;

public sealed class ObjectIdTests
{
    [Fact]
    public void Bytes_and_hex_round_trip_for_any_id()
    {
        Prop.ForAll(
            ArbMap.Default.ArbFor<byte[]>().Filter(b => b.Length == ObjectId.Size),
            bytes =>
            {
                var id = new ObjectId(bytes);
                return id.ToArray().AsSpan().SequenceEqual(bytes)
                       && ObjectId.Parse(id.ToString()) == id
                       && id.ToString() == Convert.ToHexStringLower(bytes);
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Ordering_is_the_ordering_of_the_bytes()
    {
        Prop.ForAll(
            Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), ObjectId.Size).ToArbitrary(),
            Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), ObjectId.Size).ToArbitrary(),
            (a, b) => Math.Sign(new ObjectId(a).CompareTo(new ObjectId(b))) == Math.Sign(a.AsSpan().SequenceCompareTo(b)))
            .QuickCheckThrowOnFailure();
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef012345678")]
    [InlineData("zz00000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("00000000000000000000000000000000000000000000000000000000000000000")]
    public void Anything_but_64_hex_digits_is_not_an_id(string text)
    {
        Assert.False(ObjectId.TryParse(text, out _));
        Assert.Throws<FormatException>(() => ObjectId.Parse(text));
    }

    [Fact]
    public void The_empty_id_is_all_zeros_and_short_strings_are_eight_digits()
    {
        Assert.True(ObjectId.Empty.IsEmpty);
        var id = ObjectId.Parse("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        Assert.False(id.IsEmpty);
        Assert.Equal("01234567", id.ToShortString());
    }

    [Fact]
    public void A_wrong_length_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new ObjectId(new byte[31]));
    }

    [Fact]
    public void Corruption_errors_name_the_object()
    {
        var e = new RepositoryCorruptException("data/ab/ab12", "authentication failed");
        Assert.Equal("data/ab/ab12: authentication failed", e.Message);
        Assert.Equal("data/ab/ab12", e.ObjectName);
    }
}
