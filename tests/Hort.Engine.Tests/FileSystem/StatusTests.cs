using Hort.Engine.FileSystem;
using static Hort.Engine.Tests.FileSystem.Syscalls;

namespace Hort.Engine.Tests.FileSystem;

public sealed class StatusTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_file_reports_type_size_setuid_mode_and_owner()
    {
        byte[] path = _temp.Sub("file");
        WriteFile(path, "hello"u8.ToArray());
        Chown(path, 1234, 5678);
        Chmod(path, Octal("4755"));

        FileStatus status = PosixFileSystem.LStat(path);

        Assert.Equal(EntryType.File, status.Type);
        Assert.Equal(Octal("4755"), status.Mode);
        Assert.Equal(1234u, status.Uid);
        Assert.Equal(5678u, status.Gid);
        Assert.Equal(5, status.Size);
        Assert.Equal(1u, status.LinkCount);
        Assert.Equal(0ul, status.DeviceNumber);
    }

    [Theory]
    [InlineData("2755")]
    [InlineData("1777")]
    [InlineData("0700")]
    public void A_directory_reports_setgid_and_sticky_bits(string mode)
    {
        byte[] path = _temp.Sub("dir");
        MakeDirectory(path);
        Chmod(path, Octal(mode));

        FileStatus status = PosixFileSystem.LStat(path);

        Assert.Equal(EntryType.Directory, status.Type);
        Assert.Equal(Octal(mode), status.Mode);
    }

    [Fact]
    public void A_symlink_to_a_directory_is_described_not_followed()
    {
        MakeDirectory(_temp.Sub("real"));
        byte[] link = _temp.Sub("link");
        Symlink("real"u8.ToArray(), link);

        FileStatus status = PosixFileSystem.LStat(link);

        Assert.Equal(EntryType.Symlink, status.Type);
        Assert.Equal(4, status.Size);
        Assert.NotEqual(PosixFileSystem.LStat(_temp.Sub("real")).Inode, status.Inode);
    }

    [Fact]
    public void Fifo_socket_and_character_device_have_their_types()
    {
        byte[] fifo = _temp.Sub("fifo");
        byte[] socket = _temp.Sub("socket");
        MakeNode(fifo, S_IFIFO | Octal("644"), 0);
        MakeNode(socket, S_IFSOCK | Octal("600"), 0);

        Assert.Equal(EntryType.Fifo, PosixFileSystem.LStat(fifo).Type);
        Assert.Equal(Octal("644"), PosixFileSystem.LStat(fifo).Mode);
        Assert.Equal(EntryType.Socket, PosixFileSystem.LStat(socket).Type);

        Assert.SkipUnless(PosixFileSystem.IsRoot, "creating a device needs root");
        byte[] device = _temp.Sub("null");
        MakeNode(device, S_IFCHR | Octal("666"), DeviceNumbers.Make(1, 3));
        Chmod(device, Octal("666"));

        FileStatus status = PosixFileSystem.LStat(device);

        Assert.Equal(EntryType.CharDevice, status.Type);
        Assert.Equal(0x103ul, status.DeviceNumber);
        Assert.Equal(1u, DeviceNumbers.Major(status.DeviceNumber));
        Assert.Equal(3u, DeviceNumbers.Minor(status.DeviceNumber));
        Assert.Equal(Octal("666"), status.Mode);
    }

    [Fact]
    public void Times_come_back_with_exact_nanoseconds_including_before_1970()
    {
        byte[] path = _temp.Sub("file");
        WriteFile(path, []);
        SetTimes(path, accessSeconds: -1_000_000, accessNanos: 5, modifySeconds: 1_600_000_000, modifyNanos: 123_456_789);

        FileStatus status = PosixFileSystem.LStat(path);

        Assert.Equal(new UnixTime(1_600_000_000, 123_456_789), status.ModifyTime);
        Assert.Equal(new UnixTime(-1_000_000, 5), status.AccessTime);
        Assert.True(status.ChangeTime.Seconds > 1_600_000_000);
    }

    [Fact]
    public void Hard_links_share_inode_device_and_link_count()
    {
        byte[] first = _temp.Sub("first");
        byte[] second = _temp.Sub("second");
        WriteFile(first, [1, 2, 3]);
        HardLink(first, second);

        FileStatus a = PosixFileSystem.LStat(first);
        FileStatus b = PosixFileSystem.LStat(second);

        Assert.Equal(a.Inode, b.Inode);
        Assert.Equal(a.Device, b.Device);
        Assert.Equal(2u, a.LinkCount);
        Assert.Equal(2u, b.LinkCount);
        Assert.NotEqual(a.Inode, PosixFileSystem.LStat(_temp.Path).Inode);
        Assert.Equal(PosixFileSystem.LStat(_temp.Path).Device, a.Device);
    }

    [Fact]
    public void Stat_of_an_open_handle_describes_the_same_file()
    {
        byte[] path = _temp.Sub("file");
        WriteFile(path, new byte[10_000]);

        using var handle = PosixFileSystem.OpenRead(path);
        FileStatus status = PosixFileSystem.Stat(handle);

        Assert.Equal(PosixFileSystem.LStat(path), status);
        Assert.True(status.AllocatedBytes >= 10_000);
    }

    [Fact]
    public void A_missing_entry_raises_PosixException_naming_operation_and_path()
    {
        byte[] path = _temp.Sub([0x6d, 0xff]);

        var error = Assert.Throws<PosixException>(() => PosixFileSystem.LStat(path));

        Assert.Equal(ENOENT, error.Errno);
        Assert.Equal($"lstat {_temp.Text}/m\\xff: No such file or directory", error.Message);
    }
}
