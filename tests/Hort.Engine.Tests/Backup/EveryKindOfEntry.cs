using System.Text;
using Hort.Engine.Backup;
using Hort.Engine.Restore;
using Hort.Engine.Tests.Support;
using Hort.Repository;
using static Hort.Engine.Tests.Support.Libc;

namespace Hort.Engine.Tests.Backup;

/// <summary>
/// One source tree holding every kind of entry and metadata Linux has, backed up once and restored once; the tests
/// of <see cref="MetadataRoundTripTests"/> look at different parts of the result.
/// </summary>
public sealed class EveryKindOfEntry : IAsyncLifetime
{
    public const long SparseSize = 1L << 30;
    public const int DeepLevels = 120;

    /// <summary>Data regions of the sparse file: offset and length.</summary>
    public static readonly (long Offset, int Length)[] SparseRegions = [(0, 4096), (300L << 20, 100_000), (SparseSize - 65536, 65536)];

    public static readonly byte[] BinaryXattr = [0x00, 0xFF, 0x10, 0x80, 0x7F, 0x00, 0x0A];

    public static readonly byte[] Capability = [0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>Names that are not valid UTF-8 or are awkward in shells and regexes.</summary>
    public static readonly byte[][] AwkwardNames =
    [
        [0x66, 0xFF, 0xFE],
        "with space"u8.ToArray(),
        "new\nline"u8.ToArray(),
        "back\\slash"u8.ToArray(),
        "star*"u8.ToArray(),
        "ünïcødé 日本語"u8.ToArray(),
        "-dash"u8.ToArray(),
        Encoding.ASCII.GetBytes(new string('n', 255)),
    ];

    internal ScratchDirectory Scratch { get; } = new();

    public string Source => Scratch.SubText("src");

    public string Target => Scratch.SubText("target");

    /// <summary>Where the restore put <see cref="Source"/>.</summary>
    public string RestoredSource => Target + Source;

    public HortRepository Repository { get; private set; } = null!;

    public BackupResult Backup { get; private set; } = null!;

    public RestoreResult Restore { get; private set; } = null!;

    internal TreeState Original { get; private set; } = null!;

    internal TreeState Restored { get; private set; } = null!;

    public byte[] DeepFile { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        try
        {
            Build();
            Original = TreeState.Capture(Source);
            Repository = await TestRepository.CreateAsync();
            Backup = await Repository.BackupAsync(Source);
            Restore = await Repository.RestoreAsync(Backup.Stored(), Target);
            Restored = TreeState.Capture(RestoredSource);
        }
        catch
        {
            await DisposeAsync(); // a fixture that failed to start is not disposed by the runner; /tmp must not keep 1 GiB files
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        Repository?.Dispose();
        Scratch.Dispose();
        return ValueTask.CompletedTask;
    }

    private byte[] P(string relative) => Encoding.UTF8.GetBytes(Source + "/" + relative);

    private byte[] P(string directory, byte[] name) => [.. P(directory), (byte)'/', .. name];

    private void Build()
    {
        var random = new Random(20240611);
        MakeDirectory(AT_FDCWD, P(""));

        // Regular files: empty, one byte, multi-chunk random data, and repeated content that deduplicates.
        WriteFile(AT_FDCWD, P("empty"), []);
        WriteFile(AT_FDCWD, P("one"), "x"u8);
        var randomData = new byte[3 << 20];
        random.NextBytes(randomData);
        WriteFile(AT_FDCWD, P("random.bin"), randomData);
        var block = new byte[1 << 20];
        random.NextBytes(block);
        WriteFile(AT_FDCWD, P("repeated.bin"), [.. block, .. block, .. block]);
        BuildSparseFile(random);

        // Directories: empty and nested.
        MakeDirectory(AT_FDCWD, P("dirs"));
        MakeDirectory(AT_FDCWD, P("dirs/empty"));
        MakeDirectory(AT_FDCWD, P("dirs/nested"));
        MakeDirectory(AT_FDCWD, P("dirs/nested/a"));
        MakeDirectory(AT_FDCWD, P("dirs/nested/a/b"));
        WriteFile(AT_FDCWD, P("dirs/nested/a/b/leaf"), "leaf"u8);

        // Symlinks.
        MakeDirectory(AT_FDCWD, P("links"));
        Symlink("../one"u8, AT_FDCWD, P("links/relative"));
        Symlink("/etc/passwd"u8, AT_FDCWD, P("links/absolute"));
        Symlink("does/not/exist"u8, AT_FDCWD, P("links/dangling"));
        Symlink([0x74, 0x67, 0x74, 0xFF, 0xFE, 0x01, 0x2F, 0x7F], AT_FDCWD, P("links/binary"));
        Symlink(Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("long/", 818)) + "end"), AT_FDCWD, P("links/long")); // 4,093 bytes, near the 4,095 Linux allows

        // Three names of one inode in different directories.
        MakeDirectory(AT_FDCWD, P("hard"));
        MakeDirectory(AT_FDCWD, P("hard/a"));
        MakeDirectory(AT_FDCWD, P("hard/b"));
        var linked = new byte[100_000];
        random.NextBytes(linked);
        WriteFile(AT_FDCWD, P("hard/a/one"), linked);
        HardLink(AT_FDCWD, P("hard/a/one"), AT_FDCWD, P("hard/b/two"));
        HardLink(AT_FDCWD, P("hard/a/one"), AT_FDCWD, P("hard/three"));

        // Permission bits; chmod last, since chown clears setuid and setgid.
        MakeDirectory(AT_FDCWD, P("modes"));
        foreach (var (name, mode) in new[] { ("setuid", 0x9EDu /* 04755 */), ("setgid", 0x5EDu /* 02755 */), ("none", 0u), ("readonly", 0x124u /* 0444 */) })
        {
            WriteFile(AT_FDCWD, P("modes/" + name), Encoding.ASCII.GetBytes(name));
            Chmod(AT_FDCWD, P("modes/" + name), mode);
        }

        MakeDirectory(AT_FDCWD, P("modes/sticky"));
        Chmod(AT_FDCWD, P("modes/sticky"), 0x3FF); // 01777
        MakeDirectory(AT_FDCWD, P("modes/setgid-dir"));
        Chmod(AT_FDCWD, P("modes/setgid-dir"), 0x5ED); // 02755
        MakeDirectory(AT_FDCWD, P("modes/locked"));
        WriteFile(AT_FDCWD, P("modes/locked/inside"), "inside"u8);
        Chmod(AT_FDCWD, P("modes/locked"), 0);

        // Owners: numeric ids without an account, and a named account.
        MakeDirectory(AT_FDCWD, P("owners"));
        WriteFile(AT_FDCWD, P("owners/numeric"), "numeric"u8);
        Chown(AT_FDCWD, P("owners/numeric"), 1234, 5678);
        WriteFile(AT_FDCWD, P("owners/nobody"), "nobody"u8);
        Chown(AT_FDCWD, P("owners/nobody"), 65534, 65534);
        MakeDirectory(AT_FDCWD, P("owners/dir"));
        Chown(AT_FDCWD, P("owners/dir"), 1234, 5678);
        Symlink("numeric"u8, AT_FDCWD, P("owners/link"));
        Chown(AT_FDCWD, P("owners/link"), 1234, 5678);
        WriteFile(AT_FDCWD, P("owners/setuid-owned"), "s"u8);
        Chown(AT_FDCWD, P("owners/setuid-owned"), 1234, 5678);
        Chmod(AT_FDCWD, P("owners/setuid-owned"), 0x9ED); // 04755

        // Extended attributes with binary values, several per entry, on a file and a directory.
        MakeDirectory(AT_FDCWD, P("xattrs"));
        WriteFile(AT_FDCWD, P("xattrs/file"), "xattrs"u8);
        SetExtendedAttribute(P("xattrs/file"), "user.hort", BinaryXattr);
        SetExtendedAttribute(P("xattrs/file"), "user.second", "text value"u8);
        SetExtendedAttribute(P("xattrs/file"), "user.empty", []);
        MakeDirectory(AT_FDCWD, P("xattrs/dir"));
        SetExtendedAttribute(P("xattrs/dir"), "user.hort", BinaryXattr);
        SetExtendedAttribute(P("xattrs/dir"), "user.dir", "d"u8);
        WriteFile(AT_FDCWD, P("xattrs/readonly"), "ro"u8);
        SetExtendedAttribute(P("xattrs/readonly"), "user.hort", BinaryXattr);
        Chmod(AT_FDCWD, P("xattrs/readonly"), 0x124);

        // A file capability (cap_net_raw+ep, vfs_cap_data revision 2) on a file of another owner: chown drops
        // capabilities, so a restore must set it after the owner.
        WriteFile(AT_FDCWD, P("xattrs/capable"), "#!/bin/true\n"u8);
        Chown(AT_FDCWD, P("xattrs/capable"), 1234, 5678);
        Chmod(AT_FDCWD, P("xattrs/capable"), 0x1ED);
        SetExtendedAttribute(P("xattrs/capable"), "security.capability", Capability);

        // Special files.
        MakeDirectory(AT_FDCWD, P("special"));
        MakeNode(AT_FDCWD, P("special/fifo"), S_IFIFO | 0x1A4, 0);
        MakeNode(AT_FDCWD, P("special/null"), S_IFCHR | 0x1B6, MakeDevice(1, 3));
        MakeNode(AT_FDCWD, P("special/loop0"), S_IFBLK | 0x1B0, MakeDevice(7, 0));
        MakeNode(AT_FDCWD, P("special/socket"), S_IFSOCK | 0x1ED, 0);
        foreach (var (name, mode) in new[] { ("fifo", 0x1A4u), ("null", 0x1B6u), ("loop0", 0x1B0u), ("socket", 0x1EDu) })
        {
            Chmod(AT_FDCWD, P("special/" + name), mode); // mknod applies the umask
        }

        // Awkward names.
        MakeDirectory(AT_FDCWD, P("names"));
        foreach (var name in AwkwardNames)
        {
            WriteFile(AT_FDCWD, P("names", name), name);
        }

        MakeDirectory(AT_FDCWD, P("names", [0x64, 0xFF]));
        WriteFile(AT_FDCWD, [.. P("names", [0x64, 0xFF]), .. "/in-non-utf8-dir"u8], "x"u8);

        BuildDeepTree();

        // Nanosecond times, set last: anything created in a directory afterwards would move its mtime.
        MakeDirectory(AT_FDCWD, P("times"));
        WriteFile(AT_FDCWD, P("times/file"), "t"u8);
        Symlink("file"u8, AT_FDCWD, P("times/link"));
        MakeDirectory(AT_FDCWD, P("times/dir"));
        WriteFile(AT_FDCWD, P("times/dir/inner"), "i"u8);
        WriteFile(AT_FDCWD, P("times/ancient"), "1938"u8);
        WriteFile(AT_FDCWD, P("times/future"), "2286"u8);
        SetTimes(AT_FDCWD, P("times/file"), 1234567890, 123456789);
        SetTimes(AT_FDCWD, P("times/ancient"), -1_000_000_000, 999_999_999);
        SetTimes(AT_FDCWD, P("times/future"), 10_000_000_000, 1);
        SetTimes(AT_FDCWD, P("times/link"), 1234567891, 1);
        SetTimes(AT_FDCWD, P("times/dir/inner"), 1, 999999999);
        SetTimes(AT_FDCWD, P("times/dir"), 1234567892, 987654321);
        SetTimes(AT_FDCWD, P("times"), 4102444800, 500); // 2100-01-01
        SetTimes(AT_FDCWD, P("modes/locked"), 1234567893, 42);
        SetTimes(AT_FDCWD, P("owners/link"), 1234567894, 7);
    }

    private void BuildSparseFile(Random random)
    {
        // A trailing hole, and a file that is nothing but a hole.
        var tail = OpenForWriting(AT_FDCWD, P("sparse-tail"));
        WriteAt(tail, "head"u8, 0, "sparse-tail"u8);
        Truncate(tail, 10 << 20);
        close(tail);
        var hole = OpenForWriting(AT_FDCWD, P("all-hole"));
        Truncate(hole, 5 << 20);
        close(hole);

        var fd = OpenForWriting(AT_FDCWD, P("sparse.img"));
        try
        {
            Truncate(fd, SparseSize);
            foreach (var (offset, length) in SparseRegions)
            {
                var data = new byte[length];
                random.NextBytes(data);
                WriteAt(fd, data, offset, "sparse.img"u8);
            }
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>120 levels of 30-byte names: about 3,700 bytes of path, under PATH_MAX at the source.</summary>
    private void BuildDeepTree()
    {
        MakeDirectory(AT_FDCWD, P("deep"));
        var fd = OpenDirectory(AT_FDCWD, P("deep"));
        var path = new List<byte>(P("deep"));
        for (var level = 0; level < DeepLevels; level++)
        {
            var name = Encoding.ASCII.GetBytes($"level-{level:D3}-".PadRight(30, 'x'));
            MakeDirectory(fd, name);
            var next = OpenDirectory(fd, name);
            close(fd);
            fd = next;
            path.Add((byte)'/');
            path.AddRange(name);
        }

        WriteFile(fd, "bottom"u8, "the bottom"u8);
        close(fd);
        DeepFile = [.. path, .. "/bottom"u8];
    }
}
