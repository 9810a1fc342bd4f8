using Hort.Engine.FileSystem;
using static Hort.Engine.Tests.FileSystem.Syscalls;

namespace Hort.Engine.Tests.FileSystem;

/// <summary>Symlinks planted in the target must never carry a restore's writes to the outside.</summary>
public sealed class RestoreEscapeTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly byte[] _outside;
    private readonly byte[] _secret;
    private readonly RestoreTarget _target;

    public RestoreEscapeTests()
    {
        _outside = _temp.Sub("outside");
        _secret = _temp.Sub("outside/secret");
        MakeDirectory(_outside, Octal("755"));
        WriteFile(_secret, "secret"u8.ToArray());
        Chmod(_secret, Octal("640"));
        SetTimes(_secret, 1_000_000_000, 1, 1_000_000_000, 2);
        _target = RestoreTarget.Open(_temp.Text + "/target");
    }

    public void Dispose()
    {
        _target.Dispose();
        _temp.Dispose();
    }

    private byte[] InTarget(string name) => _temp.Sub("target/" + name);

    private FileStatus Secret => PosixFileSystem.LStat(_secret);

    [Fact]
    public void A_symlink_named_like_a_directory_is_replaced_by_a_real_directory()
    {
        Symlink(_outside, InTarget("docs"));

        using (var docs = _target.Root.OpenOrCreateDirectory(Bytes("docs"), Octal("755")))
        {
            docs.CreateFile(Bytes("report"), Octal("644")).Dispose();
            using var nested = docs.OpenOrCreateDirectory(Bytes("nested"), Octal("755"));
        }

        Assert.Equal(EntryType.Directory, PosixFileSystem.LStat(InTarget("docs")).Type);
        Assert.Equal(["report", "nested"], PosixFileSystem.ReadDirectory(InTarget("docs")).Select(System.Text.Encoding.UTF8.GetString).OrderDescending());
        Assert.Equal([Bytes("secret")], PosixFileSystem.ReadDirectory(_outside));
    }

    [Fact]
    public void OpenDirectory_refuses_a_planted_symlink()
    {
        Symlink(_outside, InTarget("docs"));

        var error = Assert.Throws<PosixException>(() => _target.Root.OpenDirectory(Bytes("docs")));

        Assert.Equal(ENOTDIR, error.Errno);
    }

    [Fact]
    public void CreateFile_over_a_symlink_to_an_outside_file_leaves_that_file_unchanged()
    {
        Symlink(_secret, InTarget("file"));
        FileStatus before = Secret;

        using (var file = _target.Root.CreateFile(Bytes("file"), Octal("644")))
        {
            RandomAccess.Write(file, "restored"u8, 0);
        }

        Assert.Equal("secret"u8.ToArray(), RestoreCreateTests.ReadAll(_secret));
        Assert.Equal(before, Secret);
        Assert.Equal(EntryType.File, PosixFileSystem.LStat(InTarget("file")).Type);
        Assert.Equal("restored"u8.ToArray(), RestoreCreateTests.ReadAll(InTarget("file")));
    }

    [Fact]
    public void Symlink_and_special_file_creation_replace_a_planted_symlink_without_following_it()
    {
        Symlink(_secret, InTarget("link"));
        Symlink(_secret, InTarget("fifo"));

        _target.Root.CreateSymlink(Bytes("link"), Bytes("elsewhere"));
        _target.Root.CreateSpecial(Bytes("fifo"), EntryType.Fifo, Octal("644"), 0);

        Assert.Equal(Bytes("elsewhere"), PosixFileSystem.ReadLink(InTarget("link")));
        Assert.Equal(EntryType.Fifo, PosixFileSystem.LStat(InTarget("fifo")).Type);
        Assert.Equal(EntryType.File, Secret.Type);
    }

    [Fact]
    public void CreateHardLink_links_a_planted_symlink_itself_not_its_target()
    {
        Symlink(_secret, InTarget("planted"));

        _target.Root.CreateHardLink(_target.Root, Bytes("planted"), Bytes("link"));

        Assert.Equal(EntryType.Symlink, PosixFileSystem.LStat(InTarget("link")).Type);
        Assert.Equal(PosixFileSystem.LStat(InTarget("planted")).Inode, PosixFileSystem.LStat(InTarget("link")).Inode);
        Assert.Equal(1u, Secret.LinkCount);
    }

    [Fact]
    public void Metadata_setters_on_a_planted_symlink_never_touch_its_target()
    {
        Symlink(_secret, InTarget("planted"));
        FileStatus before = Secret;

        _target.Root.SetOwner(Bytes("planted"), 4321, 4321);
        _target.Root.SetMode(Bytes("planted"), Octal("6777"));
        _target.Root.SetTimes(Bytes("planted"), new UnixTime(5, 6), new UnixTime(7, 8));
        // Linux refuses user.* on the symlink itself; the point is that the target is never written through it.
        Assert.Throws<PosixException>(() => _target.Root.SetExtendedAttribute(Bytes("planted"), Bytes("user.hort.test"), [1]));

        Assert.Equal(before, Secret);
        Assert.Null(GetXattr(_secret, "user.hort.test"));
        FileStatus link = PosixFileSystem.LStat(InTarget("planted"));
        Assert.Equal((4321u, 4321u), (link.Uid, link.Gid));
        Assert.Equal(new UnixTime(7, 8), link.ModifyTime);
    }

    [Fact]
    public void A_symlink_swapped_in_for_a_written_file_does_not_receive_its_metadata()
    {
        // The restorer sets a file's metadata through its handle, which stays on the file it created
        // even if the name is swapped for a symlink to the outside afterwards.
        using var file = _target.Root.CreateFile(Bytes("file"), Octal("644"));
        Syscalls.RemoveTree(InTarget("file"));
        Symlink(_secret, InTarget("file"));
        FileStatus before = Secret;

        FileHandleMetadata.SetOwner(file, 4321, 4321);
        FileHandleMetadata.SetMode(file, Octal("4777"));
        FileHandleMetadata.SetTimes(file, new UnixTime(1, 2), new UnixTime(3, 4));

        Assert.Equal(before, Secret);
    }
}
