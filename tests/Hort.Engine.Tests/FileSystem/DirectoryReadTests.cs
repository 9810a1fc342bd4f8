using Hort.Engine.FileSystem;
using static Hort.Engine.Tests.FileSystem.Syscalls;

namespace Hort.Engine.Tests.FileSystem;

public sealed class DirectoryReadTests : IDisposable
{
    private static readonly byte[] NotUtf8 = [0x66, 0xff, 0xfe, 0x2e, 0x74];

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Names_come_back_byte_identical_without_dot_entries()
    {
        byte[][] names = [NotUtf8, Bytes("plain.txt"), Bytes("line\nbreak"), Bytes("Grüße")];
        foreach (byte[] name in names)
        {
            WriteFile(_temp.Sub(name), []);
        }
        MakeDirectory(_temp.Sub("sub"));

        List<byte[]> listed = PosixFileSystem.ReadDirectory(_temp.Path);

        Assert.Equal(
            names.Append(Bytes("sub")).Select(Convert.ToHexString).Order(),
            listed.Select(Convert.ToHexString).Order());
        Assert.Equal(EntryType.File, PosixFileSystem.LStat(_temp.Sub(NotUtf8)).Type);
    }

    [Fact]
    public void A_directory_larger_than_one_read_buffer_is_listed_completely()
    {
        var expected = new HashSet<string>();
        // ~120-byte records: 500 of them span two 32 KiB getdents buffers.
        for (int i = 0; i < 500; i++)
        {
            string name = $"entry-{i:D5}-" + new string('x', 90);
            expected.Add(name);
            WriteFile(_temp.Sub(name), []);
        }

        List<byte[]> listed = PosixFileSystem.ReadDirectory(_temp.Path);

        Assert.Equal(500, listed.Count);
        Assert.True(expected.SetEquals(listed.Select(n => System.Text.Encoding.UTF8.GetString(n))));
    }

    [Fact]
    public void Reading_an_open_directory_twice_starts_from_the_beginning()
    {
        WriteFile(_temp.Sub("a"), []);
        WriteFile(_temp.Sub("b"), []);
        using var directory = PosixFileSystem.OpenDirectory(_temp.Path);

        Assert.Equal(2, PosixFileSystem.ReadDirectory(directory).Count);
        Assert.Equal(2, PosixFileSystem.ReadDirectoryAt(directory).Count);
    }

    [Fact]
    public void Listing_a_handle_that_is_no_directory_names_its_path_in_the_error()
    {
        WriteFile(_temp.Sub("file"), []);
        using var handle = PosixFileSystem.OpenRead(_temp.Sub("file"));

        var error = Assert.Throws<PosixException>(() => PosixFileSystem.ReadDirectory(handle));

        Assert.Equal(ENOTDIR, error.Errno);
        Assert.Equal($"readdir {_temp.Text}/file: Not a directory", error.Message);
    }

    [Fact]
    public void A_symlink_to_a_directory_is_not_listed_through()
    {
        MakeDirectory(_temp.Sub("real"));
        WriteFile(_temp.Sub("real/inside"), []);
        Symlink(Bytes("real"), _temp.Sub("link"));

        var error = Assert.Throws<PosixException>(() => PosixFileSystem.ReadDirectory(_temp.Sub("link")));

        Assert.Contains(error.Errno, new[] { ELOOP, ENOTDIR });
    }

    [Fact]
    public void ReadLink_returns_dangling_absolute_non_utf8_and_long_targets_verbatim()
    {
        byte[] longTarget = Bytes(string.Join('/', Enumerable.Repeat("segment-of-a-long-target", 120)));
        byte[][] targets = [Bytes("does/not/exist"), Bytes("/etc/passwd"), [.. Bytes("../"), .. NotUtf8], longTarget];

        for (int i = 0; i < targets.Length; i++)
        {
            Symlink(targets[i], _temp.Sub($"link{i}"));
        }

        using var directory = PosixFileSystem.OpenDirectory(_temp.Path);
        for (int i = 0; i < targets.Length; i++)
        {
            Assert.Equal(targets[i], PosixFileSystem.ReadLink(_temp.Sub($"link{i}")));
            Assert.Equal(targets[i], PosixFileSystem.ReadLinkAt(directory, Bytes($"link{i}")));
        }
    }

    [Fact]
    public void ReadLink_of_a_regular_file_fails_with_EINVAL()
    {
        WriteFile(_temp.Sub("file"), []);

        var error = Assert.Throws<PosixException>(() => PosixFileSystem.ReadLink(_temp.Sub("file")));

        Assert.Equal(22, error.Errno);
    }

    [Fact]
    public void Extended_attributes_with_binary_and_empty_values_round_trip()
    {
        byte[] path = _temp.Sub("file");
        WriteFile(path, []);
        byte[] binary = [0x00, 0x01, 0xff, 0x00, 0x80, 0x7f];
        SkipUnlessXattrs(TrySetXattr(path, "user.hort.test", binary));
        Assert.Equal(0, TrySetXattr(path, "user.hort.empty", []));

        using var directory = PosixFileSystem.OpenDirectory(_temp.Path);
        foreach (var attributes in new[]
                 {
                     PosixFileSystem.ReadExtendedAttributes(path),
                     PosixFileSystem.ReadExtendedAttributesAt(directory, Bytes("file")),
                 })
        {
            var byName = attributes.ToDictionary(a => System.Text.Encoding.UTF8.GetString(a.Key), a => a.Value);
            Assert.Equal(binary, byName["user.hort.test"]);
            Assert.Empty(byName["user.hort.empty"]);
        }
    }

    [Fact]
    public void Extended_attributes_are_never_read_through_a_symlink()
    {
        byte[] file = _temp.Sub("file");
        WriteFile(file, []);
        SkipUnlessXattrs(TrySetXattr(file, "user.hort.test", [1]));
        Symlink(Bytes("file"), _temp.Sub("link"));
        MakeDirectory(_temp.Sub("dir"));
        SkipUnlessXattrs(TrySetXattr(_temp.Sub("dir"), "user.hort.dir", [2]));
        Symlink(Bytes("dir"), _temp.Sub("dirlink"));

        using var directory = PosixFileSystem.OpenDirectory(_temp.Path);

        Assert.DoesNotContain(PosixFileSystem.ReadExtendedAttributes(_temp.Sub("link")), a => a.Key.AsSpan().StartsWith("user."u8));
        Assert.DoesNotContain(PosixFileSystem.ReadExtendedAttributesAt(directory, Bytes("link")), a => a.Key.AsSpan().StartsWith("user."u8));
        Assert.DoesNotContain(PosixFileSystem.ReadExtendedAttributesAt(directory, Bytes("dirlink")), a => a.Key.AsSpan().StartsWith("user."u8));
        Assert.Single(PosixFileSystem.ReadExtendedAttributesAt(directory, Bytes("dir")), a => a.Key.AsSpan().SequenceEqual("user.hort.dir"u8));
    }

    [Fact]
    public void A_file_without_extended_attributes_has_an_empty_list()
    {
        byte[] path = _temp.Sub("file");
        WriteFile(path, []);

        Assert.DoesNotContain(PosixFileSystem.ReadExtendedAttributes(path), a => a.Key.AsSpan().StartsWith("user."u8));
    }

    internal static void SkipUnlessXattrs(int errno)
    {
        Assert.SkipWhen(errno == EOPNOTSUPP, "the temp file system has no user xattrs");
        Assert.Equal(0, errno);
    }
}
