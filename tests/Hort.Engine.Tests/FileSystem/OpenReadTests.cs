using Hort.Engine.FileSystem;
using static Hort.Engine.Tests.FileSystem.Syscalls;

namespace Hort.Engine.Tests.FileSystem;

public sealed class OpenReadTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void The_handle_works_with_RandomAccess()
    {
        byte[] content = new byte[100_000];
        new Random(7).NextBytes(content);
        byte[] path = _temp.Sub([0x66, 0xff]);
        WriteFile(path, content);

        using var handle = PosixFileSystem.OpenRead(path);
        byte[] buffer = new byte[1000];
        int read = RandomAccess.Read(handle, buffer, fileOffset: 50_000);

        Assert.Equal(1000, read);
        Assert.Equal(content.AsSpan(50_000, 1000).ToArray(), buffer);
        Assert.Equal(content.Length, RandomAccess.GetLength(handle));
        Assert.Equal(0, RandomAccess.Read(handle, buffer, fileOffset: content.Length));
    }

    [Fact]
    public void OpenReadAt_reads_an_entry_of_an_open_directory()
    {
        WriteFile(_temp.Sub("file"), "abc"u8.ToArray());
        using var directory = PosixFileSystem.OpenDirectory(_temp.Path);

        using var handle = PosixFileSystem.OpenReadAt(directory, Bytes("file"));
        byte[] buffer = new byte[3];

        Assert.Equal(3, RandomAccess.Read(handle, buffer, 0));
        Assert.Equal("abc"u8.ToArray(), buffer);
    }

    [Fact]
    public void A_final_symlink_is_refused()
    {
        WriteFile(_temp.Sub("file"), [1]);
        Symlink(Bytes("file"), _temp.Sub("link"));

        var error = Assert.Throws<PosixException>(() => PosixFileSystem.OpenRead(_temp.Sub("link")));

        Assert.Equal(ELOOP, error.Errno);
    }

    [Fact(Timeout = 20_000)]
    public async Task Opening_a_fifo_without_a_writer_does_not_block()
    {
        byte[] fifo = _temp.Sub("fifo");
        MakeNode(fifo, S_IFIFO | Octal("600"), 0);

        using var handle = await Task.Run(() => PosixFileSystem.OpenRead(fifo), TestContext.Current.CancellationToken);

        Assert.Equal(EntryType.Fifo, PosixFileSystem.Stat(handle).Type);
    }

    [Fact]
    public void Reading_leaves_the_access_time_alone()
    {
        byte[] path = _temp.Sub("file");
        WriteFile(path, new byte[4096]);
        // An access time older than a day is one relatime would refresh on the next read.
        SetTimes(path, accessSeconds: 946_684_800, accessNanos: 0, modifySeconds: 946_684_800, modifyNanos: 0);

        using (var handle = PosixFileSystem.OpenRead(path))
        {
            RandomAccess.Read(handle, new byte[4096], 0);
        }

        Assert.Equal(new UnixTime(946_684_800, 0), PosixFileSystem.LStat(path).AccessTime);
    }

    [Fact]
    public void A_file_without_holes_is_one_data_region()
    {
        byte[] path = _temp.Sub("file");
        WriteFile(path, new byte[10_000]);
        using var handle = PosixFileSystem.OpenRead(path);

        Assert.True(PosixFileSystem.TryGetNextDataRegion(handle, 0, out long start, out long end));
        Assert.Equal((0L, 10_000L), (start, end));
        Assert.False(PosixFileSystem.TryGetNextDataRegion(handle, 10_000, out _, out _));
    }

    [Fact]
    public void An_empty_file_has_no_data_region()
    {
        byte[] path = _temp.Sub("file");
        WriteFile(path, []);
        using var handle = PosixFileSystem.OpenRead(path);

        Assert.False(PosixFileSystem.TryGetNextDataRegion(handle, 0, out _, out _));
    }
}
