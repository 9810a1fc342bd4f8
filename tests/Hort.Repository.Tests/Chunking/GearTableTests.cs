using Hort.Repository.Chunking;

namespace Hort.Repository.Tests.Chunking;

public sealed class GearTableTests
{
    // From Python's hmac over the chunker subkey of master key 00 01 … 1f.
    [Fact]
    public void Entries_match_the_format_test_vector()
    {
        var gear = ChunkerTests.Gear;

        Assert.Equal(GearTable.Length, gear.Length);
        Assert.Equal(0xc791824a821668c6UL, gear[0]);
        Assert.Equal(0xb5ce4bc55236179fUL, gear[1]);
        Assert.Equal(0xc0e9640a504e4010UL, gear[2]);
        Assert.Equal(0x57bf359493037ec9UL, gear[3]);
        Assert.Equal(0xd7014538facb2938UL, gear[255]);
    }

    [Fact]
    public void Entries_are_distinct()
    {
        Assert.Equal(GearTable.Length, ChunkerTests.Gear.Distinct().Count());
    }

    [Fact]
    public void A_key_of_the_wrong_length_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => GearTable.Derive(new byte[16]));
    }
}
