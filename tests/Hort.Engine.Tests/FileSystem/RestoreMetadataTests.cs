using Hort.Engine.FileSystem;
using static Hort.Engine.Tests.FileSystem.Syscalls;

namespace Hort.Engine.Tests.FileSystem;

/// <summary>Metadata survives exactly when set in the documented order: owner, xattrs, mode, times.</summary>
public sealed class RestoreMetadataTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly RestoreTarget _target;

    public RestoreMetadataTests() => _target = RestoreTarget.Open(_temp.Text);

    public void Dispose()
    {
        _target.Dispose();
        _temp.Dispose();
    }

    [Theory]
    [InlineData("4755")]
    [InlineData("2750")]
    [InlineData("6711")]
    [InlineData("0000")]
    public void A_file_keeps_owner_special_mode_bits_xattr_and_nanosecond_times(string mode)
    {
        Assert.SkipUnless(PosixFileSystem.IsRoot, "chown to other users needs root");
        using (var file = _target.Root.CreateFile(Bytes("file"), Octal(mode)))
        {
            RandomAccess.Write(file, "data"u8, 0);
            FileHandleMetadata.SetOwner(file, 1000, 1001);
            FileHandleMetadata.SetExtendedAttribute(file, Bytes("user.hort.test"), [0, 0xff]);
            FileHandleMetadata.SetMode(file, Octal(mode));
            FileHandleMetadata.SetTimes(file, new UnixTime(1_500_000_000, 999_999_999), new UnixTime(1_600_000_000, 1));
        }

        FileStatus status = PosixFileSystem.LStat(_temp.Sub("file"));
        Assert.Equal(Octal(mode), status.Mode);
        Assert.Equal((1000u, 1001u), (status.Uid, status.Gid));
        Assert.Equal(new UnixTime(1_500_000_000, 999_999_999), status.AccessTime);
        Assert.Equal(new UnixTime(1_600_000_000, 1), status.ModifyTime);
        Assert.Equal(new byte[] { 0, 0xff }, GetXattr(_temp.Sub("file"), "user.hort.test"));
    }

    [Fact]
    public void Setting_the_owner_after_the_mode_would_lose_setuid_which_is_why_owner_comes_first()
    {
        Assert.SkipUnless(PosixFileSystem.IsRoot, "chown to other users needs root");
        using var file = _target.Root.CreateFile(Bytes("file"), Octal("755"));

        FileHandleMetadata.SetMode(file, Octal("4755"));
        FileHandleMetadata.SetOwner(file, 1000, 1000);

        Assert.Equal(Octal("755"), PosixFileSystem.Stat(file).Mode);
    }

    [Theory]
    [InlineData("2755")]
    [InlineData("1777")]
    [InlineData("0500")]
    public void A_directory_takes_its_metadata_last_through_its_handle(string mode)
    {
        using (var directory = _target.Root.OpenOrCreateDirectory(Bytes("dir"), Octal(mode)))
        {
            directory.CreateFile(Bytes("child"), Octal("644")).Dispose();
            FileHandleMetadata.SetOwner(directory.Handle, 2000, 2000);
            FileHandleMetadata.SetMode(directory.Handle, Octal(mode));
            FileHandleMetadata.SetTimes(directory.Handle, new UnixTime(10, 20), new UnixTime(30, 40));
        }

        FileStatus status = PosixFileSystem.LStat(_temp.Sub("dir"));
        Assert.Equal(Octal(mode), status.Mode);
        Assert.Equal(2000u, status.Uid);
        Assert.Equal(new UnixTime(30, 40), status.ModifyTime);
        Assert.Equal(new UnixTime(10, 20), status.AccessTime);
    }

    [Fact]
    public void Entries_restored_by_name_take_owner_mode_xattr_and_times()
    {
        _target.Root.CreateFile(Bytes("file"), Octal("644")).Dispose();
        _target.Root.CreateSpecial(Bytes("fifo"), EntryType.Fifo, Octal("640"), 0);

        foreach (string name in new[] { "file", "fifo" })
        {
            _target.Root.SetOwner(Bytes(name), 3000, 3001);
            _target.Root.SetMode(Bytes(name), Octal("6755"));
            _target.Root.SetTimes(Bytes(name), new UnixTime(1, 2), new UnixTime(-3, 4));

            FileStatus status = PosixFileSystem.LStat(_temp.Sub(name));
            Assert.Equal(Octal("6755"), status.Mode);
            Assert.Equal((3000u, 3001u), (status.Uid, status.Gid));
            Assert.Equal((new UnixTime(1, 2), new UnixTime(-3, 4)), (status.AccessTime, status.ModifyTime));
        }

        DirectoryReadTests.SkipUnlessXattrs(TrySetXattr(_temp.Sub("file"), "user.probe", []));
        Assert.True(_target.Root.SetExtendedAttribute(Bytes("file"), Bytes("user.hort.test"), [9, 8, 7]));
        Assert.Equal(new byte[] { 9, 8, 7 }, GetXattr(_temp.Sub("file"), "user.hort.test"));
    }

    [Fact]
    public void A_symlink_takes_owner_and_times_but_mode_is_left_alone()
    {
        _target.Root.CreateSymlink(Bytes("link"), Bytes("nowhere"));

        _target.Root.SetOwner(Bytes("link"), 77, 88);
        _target.Root.SetMode(Bytes("link"), Octal("600"));
        _target.Root.SetTimes(Bytes("link"), new UnixTime(100, 1), new UnixTime(200, 2));

        FileStatus status = PosixFileSystem.LStat(_temp.Sub("link"));
        Assert.Equal((77u, 88u), (status.Uid, status.Gid));
        Assert.Equal(Octal("777"), status.Mode);
        Assert.Equal(new UnixTime(200, 2), status.ModifyTime);
    }

    [Fact]
    public void Errors_name_the_operation_and_the_full_path()
    {
        var error = Assert.Throws<PosixException>(() => _target.Root.SetMode(Bytes("missing"), Octal("644")));

        Assert.Equal(ENOENT, error.Errno);
        Assert.Equal($"chmod {_temp.Text}/missing: No such file or directory", error.Message);
    }
}
