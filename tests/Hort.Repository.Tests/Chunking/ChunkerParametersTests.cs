using Hort.Repository.Chunking;

namespace Hort.Repository.Tests.Chunking;

public sealed class ChunkerParametersTests
{
    [Fact]
    public void The_default_is_512_KiB_1_MiB_8_MiB_and_valid()
    {
        var p = ChunkerParameters.Default;

        p.Validate();
        Assert.Equal((512 * 1024, 1024 * 1024, 8 * 1024 * 1024), (p.MinSize, p.AverageSize, p.MaxSize));
        Assert.Equal(20, p.AverageBits);
    }

    [Theory]
    [InlineData(64, 128, 129)]
    [InlineData(256, 1024, 8192)]
    [InlineData((32 << 20) - 1, 32 << 20, 64 << 20)]
    public void Validation_accepts_sound_limits(int min, int average, int max)
    {
        new ChunkerParameters(min, average, max).Validate();
    }

    [Theory]
    [InlineData(63, 128, 256)] // minimum below 64
    [InlineData(256, 1000, 8192)] // average not a power of two
    [InlineData(1024, 1024, 8192)] // minimum not below average
    [InlineData(256, 1024, 1024)] // maximum not above average
    [InlineData(256, 1024, (64 << 20) + 1)] // maximum above 64 MiB
    [InlineData(256, 0, 8192)]
    [InlineData(256, -1024, 8192)]
    public void Validation_rejects_unsound_limits(int min, int average, int max)
    {
        Assert.Throws<ArgumentException>(new ChunkerParameters(min, average, max).Validate);
    }
}
