using Hort.Engine.FileSystem;
using static Hort.Engine.Tests.FileSystem.Syscalls;

namespace Hort.Engine.Tests.FileSystem;

public sealed class RestoreCreateTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Open_creates_the_target_and_its_missing_parents()
    {
        using var target = RestoreTarget.Open(_temp.Text + "/a/b/c");

        Assert.Equal(EntryType.Directory, PosixFileSystem.LStat(_temp.Sub("a/b/c")).Type);
        Assert.Equal(PosixFileSystem.LStat(_temp.Sub("a/b/c")).Inode, PosixFileSystem.Stat(target.Root.Handle).Inode);
    }

    [Fact]
    public void The_target_itself_may_be_reached_through_a_symlink()
    {
        MakeDirectory(_temp.Sub("real"));
        Symlink(Bytes("real"), _temp.Sub("chosen"));

        using (var target = RestoreTarget.Open(_temp.Text + "/chosen"))
        {
            target.Root.CreateFile(Bytes("file"), Octal("644")).Dispose();
        }

        Assert.Equal(EntryType.File, PosixFileSystem.LStat(_temp.Sub("real/file")).Type);
    }

    [Fact]
    public void A_target_that_is_a_file_is_refused()
    {
        WriteFile(_temp.Sub("file"), []);

        var error = Assert.Throws<PosixException>(() => RestoreTarget.Open(_temp.Text + "/file"));

        Assert.Equal(ENOTDIR, error.Errno);
    }

    [Fact]
    public void OpenOrCreateDirectory_creates_then_reopens_the_same_directory()
    {
        using var target = RestoreTarget.Open(_temp.Text);

        ulong created;
        using (var first = target.Root.OpenOrCreateDirectory(Bytes("dir"), Octal("755")))
        {
            created = PosixFileSystem.Stat(first.Handle).Inode;
            Assert.Equal(_temp.Text + "/dir", first.DisplayPath);
        }
        using var second = target.Root.OpenOrCreateDirectory(Bytes("dir"), Octal("755"));

        Assert.Equal(created, PosixFileSystem.Stat(second.Handle).Inode);
        Assert.Equal(created, PosixFileSystem.LStat(_temp.Sub("dir")).Inode);
    }

    [Fact]
    public void OpenOrCreateDirectory_replaces_a_file_in_the_way()
    {
        WriteFile(_temp.Sub("dir"), [1, 2, 3]);
        using var target = RestoreTarget.Open(_temp.Text);

        using var directory = target.Root.OpenOrCreateDirectory(Bytes("dir"), Octal("755"));

        Assert.Equal(EntryType.Directory, PosixFileSystem.LStat(_temp.Sub("dir")).Type);
    }

    [Fact]
    public void CreateFile_writes_through_RandomAccess_and_starts_owner_only()
    {
        using var target = RestoreTarget.Open(_temp.Text);
        byte[] name = [0x66, 0xff, 0xfe, 0x2e, 0x74];

        using (var file = target.Root.CreateFile(name, Octal("644")))
        {
            RandomAccess.Write(file, "content"u8, 0);
        }

        FileStatus status = PosixFileSystem.LStat(_temp.Sub(name));
        Assert.Equal(EntryType.File, status.Type);
        Assert.Equal(Octal("600"), status.Mode);
        Assert.Equal(7, status.Size);
        Assert.Equal("content"u8.ToArray(), ReadAll(_temp.Sub(name)));
    }

    [Fact]
    public void CreateFile_replaces_an_existing_file_and_refuses_a_directory()
    {
        WriteFile(_temp.Sub("file"), "old content"u8.ToArray());
        MakeDirectory(_temp.Sub("dir"));
        using var target = RestoreTarget.Open(_temp.Text);

        using (var file = target.Root.CreateFile(Bytes("file"), Octal("644")))
        {
            RandomAccess.Write(file, "new"u8, 0);
        }
        var error = Assert.Throws<PosixException>(() => target.Root.CreateFile(Bytes("dir"), Octal("644")));

        Assert.Equal("new"u8.ToArray(), ReadAll(_temp.Sub("file")));
        Assert.Equal(EISDIR, error.Errno);
        Assert.StartsWith($"create file {_temp.Text}/dir: ", error.Message);
    }

    [Fact]
    public void Unsafe_names_are_refused_by_every_operation()
    {
        using var target = RestoreTarget.Open(_temp.Text);
        RestoreDirectory root = target.Root;

        foreach (byte[] name in new[] { Bytes(".."), Bytes("."), Bytes(""), Bytes("a/b"), Bytes("../escape") })
        {
            Assert.Throws<ArgumentException>(() => root.OpenOrCreateDirectory(name, Octal("755")));
            Assert.Throws<ArgumentException>(() => root.CreateFile(name, Octal("644")));
            Assert.Throws<ArgumentException>(() => root.CreateSymlink(name, Bytes("x")));
            Assert.Throws<ArgumentException>(() => root.CreateSpecial(name, EntryType.Fifo, Octal("644"), 0));
            Assert.Throws<ArgumentException>(() => root.SetMode(name, Octal("777")));
            Assert.Throws<ArgumentException>(() => root.SetTimes(name, default, default));
            Assert.Throws<ArgumentException>(() => root.SetOwner(name, 0, 0));
        }
        Assert.Empty(PosixFileSystem.ReadDirectory(_temp.Path));
    }

    [Fact]
    public void Symlinks_are_created_with_verbatim_targets_replacing_files()
    {
        WriteFile(_temp.Sub("absolute"), [1]);
        using var target = RestoreTarget.Open(_temp.Text);
        byte[][] targets = [Bytes("/etc/passwd"), Bytes("dangling/target"), [0x2e, 0x2e, 0x2f, 0xff, 0xfe]];

        target.Root.CreateSymlink(Bytes("absolute"), targets[0]);
        target.Root.CreateSymlink(Bytes("dangling"), targets[1]);
        target.Root.CreateSymlink(Bytes("binary"), targets[2]);

        Assert.Equal(targets[0], PosixFileSystem.ReadLink(_temp.Sub("absolute")));
        Assert.Equal(targets[1], PosixFileSystem.ReadLink(_temp.Sub("dangling")));
        Assert.Equal(targets[2], PosixFileSystem.ReadLink(_temp.Sub("binary")));
    }

    [Fact]
    public void Hard_links_share_the_inode_and_may_be_repeated()
    {
        using var target = RestoreTarget.Open(_temp.Text);
        using var sub = target.Root.OpenOrCreateDirectory(Bytes("sub"), Octal("755"));
        target.Root.CreateFile(Bytes("original"), Octal("644")).Dispose();
        WriteFile(_temp.Sub("sub/link"), "in the way"u8.ToArray());

        sub.CreateHardLink(target.Root, Bytes("original"), Bytes("link"));
        sub.CreateHardLink(target.Root, Bytes("original"), Bytes("link"));

        FileStatus original = PosixFileSystem.LStat(_temp.Sub("original"));
        Assert.Equal(original.Inode, PosixFileSystem.LStat(_temp.Sub("sub/link")).Inode);
        Assert.Equal(2u, original.LinkCount);
    }

    [Fact]
    public void Special_files_are_created_with_their_types()
    {
        WriteFile(_temp.Sub("fifo"), [1]);
        using var target = RestoreTarget.Open(_temp.Text);

        target.Root.CreateSpecial(Bytes("fifo"), EntryType.Fifo, Octal("644"), 0);
        target.Root.CreateSpecial(Bytes("socket"), EntryType.Socket, Octal("755"), 0);

        Assert.Equal(EntryType.Fifo, PosixFileSystem.LStat(_temp.Sub("fifo")).Type);
        Assert.Equal(EntryType.Socket, PosixFileSystem.LStat(_temp.Sub("socket")).Type);
        Assert.Throws<ArgumentException>(() => target.Root.CreateSpecial(Bytes("file"), EntryType.File, 0, 0));

        Assert.SkipUnless(PosixFileSystem.IsRoot, "creating a device needs root");
        target.Root.CreateSpecial(Bytes("null"), EntryType.CharDevice, Octal("666"), DeviceNumbers.Make(1, 3));
        target.Root.CreateSpecial(Bytes("loop"), EntryType.BlockDevice, Octal("660"), DeviceNumbers.Make(7, 300));

        FileStatus character = PosixFileSystem.LStat(_temp.Sub("null"));
        FileStatus block = PosixFileSystem.LStat(_temp.Sub("loop"));
        Assert.Equal((EntryType.CharDevice, DeviceNumbers.Make(1, 3)), (character.Type, character.DeviceNumber));
        Assert.Equal((EntryType.BlockDevice, DeviceNumbers.Make(7, 300)), (block.Type, block.DeviceNumber));
    }

    [Fact]
    public void TryLStat_describes_an_entry_or_returns_null()
    {
        using var target = RestoreTarget.Open(_temp.Text);
        target.Root.CreateSymlink(Bytes("link"), Bytes("/"));

        Assert.Equal(EntryType.Symlink, target.Root.TryLStat(Bytes("link"))?.Type);
        Assert.Null(target.Root.TryLStat(Bytes("missing")));
    }

    internal static byte[] ReadAll(byte[] path)
    {
        using var handle = PosixFileSystem.OpenRead(path);
        byte[] buffer = new byte[RandomAccess.GetLength(handle)];
        RandomAccess.Read(handle, buffer, 0);
        return buffer;
    }
}
