using FsCheck;
using FsCheck.Fluent;
using Hort.Engine.FileSystem;

namespace Hort.Engine.Tests.FileSystem;

public sealed class PathTextTests
{
    [Fact]
    public void Display_shows_invalid_utf8_and_control_bytes_as_escapes()
    {
        Assert.Equal("f\\xff\\xfe.t", PosixFileSystem.Display([0x66, 0xff, 0xfe, 0x2e, 0x74]));
        Assert.Equal("a\\x0ab\\x1b[31m", PosixFileSystem.Display("a\nb\u001b[31m"u8));
        Assert.Equal("Grüße/日本", PosixFileSystem.Display("Grüße/日本"u8));
        Assert.Equal("\\xc3", PosixFileSystem.Display([0xc3]));
        Assert.Equal("", PosixFileSystem.Display([]));
    }

    [Fact]
    public void Display_of_any_bytes_contains_no_control_characters_and_keeps_printable_text()
    {
        Prop.ForAll<byte[]>(bytes =>
        {
            string shown = PosixFileSystem.Display(bytes);
            return !shown.Any(char.IsControl);
        }).QuickCheckThrowOnFailure();

        Prop.ForAll<string>(text =>
        {
            string printable = new((text ?? "").Where(c => !char.IsControl(c) && !char.IsSurrogate(c)).ToArray());
            return PosixFileSystem.Display(PosixFileSystem.ToBytes(printable)) == printable;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Join_inserts_exactly_one_slash()
    {
        Assert.Equal("/a"u8.ToArray(), PosixFileSystem.Join("/"u8, "a"u8));
        Assert.Equal("/x/a"u8.ToArray(), PosixFileSystem.Join("/x"u8, "a"u8));
        Assert.Equal("/x/a"u8.ToArray(), PosixFileSystem.Join("/x/"u8, "a"u8));
        Assert.Equal("a"u8.ToArray(), PosixFileSystem.Join([], "a"u8));
        Assert.Equal(new byte[] { 0x64, 0x2f, 0xff }, PosixFileSystem.Join("d"u8, [0xff]));
    }

    [Fact]
    public void ToBytes_is_utf8_and_refuses_nul()
    {
        Assert.Equal("Grüße"u8.ToArray(), PosixFileSystem.ToBytes("Grüße"));
        Assert.Throws<ArgumentException>(() => PosixFileSystem.ToBytes("a\0b"));
    }

    [Fact]
    public void A_path_with_a_nul_byte_is_refused_before_any_syscall()
    {
        Assert.Throws<ArgumentException>(() => PosixFileSystem.LStat([0x2f, 0x00, 0x61]));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("/")]
    [InlineData("a\0b")]
    public void IsSafeName_rejects_names_that_leave_or_name_the_directory(string name)
    {
        Assert.False(RestoreTarget.IsSafeName(System.Text.Encoding.UTF8.GetBytes(name)));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("...")]
    [InlineData(".hidden")]
    [InlineData("a\\b")]
    public void IsSafeName_accepts_ordinary_names(string name)
    {
        Assert.True(RestoreTarget.IsSafeName(System.Text.Encoding.UTF8.GetBytes(name)));
        Assert.True(RestoreTarget.IsSafeName([0x66, 0xff]));
    }

    [Fact]
    public void Device_numbers_split_back_into_major_and_minor()
    {
        Assert.Equal(0x103ul, DeviceNumbers.Make(1, 3));
        Assert.Equal(0x12300845ul, DeviceNumbers.Make(8, 0x12345));
        Prop.ForAll<uint, uint>((major, minor) =>
        {
            ulong device = DeviceNumbers.Make(major, minor);
            return DeviceNumbers.Major(device) == major && DeviceNumbers.Minor(device) == minor;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void UnixTime_converts_to_and_from_DateTimeOffset_at_100ns_resolution()
    {
        Assert.Equal(new UnixTime(-1, 999_999_900), UnixTime.FromDateTimeOffset(DateTimeOffset.UnixEpoch.AddTicks(-1)));
        Assert.Equal(DateTimeOffset.UnixEpoch.AddTicks(-1), new UnixTime(-1, 999_999_999).ToDateTimeOffset());
        Prop.ForAll<long>(ticks =>
        {
            var time = new DateTimeOffset(Math.Abs(ticks % DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
            UnixTime unix = UnixTime.FromDateTimeOffset(time);
            return unix.ToDateTimeOffset() == time && unix.Nanoseconds < 1_000_000_000;
        }).QuickCheckThrowOnFailure();
    }
}
