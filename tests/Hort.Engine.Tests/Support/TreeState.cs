using System.Globalization;
using System.Text;

namespace Hort.Engine.Tests.Support;

/// <summary>Where an inode lives and when it last changed: equal only for the very same, untouched entry.</summary>
internal sealed record EntryIdentity(ulong Device, ulong Inode, long ChangeSeconds, long ChangeNanoseconds);

/// <summary>
/// Everything a restore must reproduce about one entry, as lstat and friends report it. Strings keep the record
/// comparable by value and readable in a failure message.
/// </summary>
internal sealed record EntryState(
    char Type,
    string Mode,
    uint Uid,
    uint Gid,
    long Size,
    long ModifySeconds,
    long ModifyNanoseconds,
    string DeviceNumber,
    string LinkTarget,
    string ExtendedAttributes,
    string? Content,
    ulong LinkCount,
    string? HardLinkGroup,
    EntryIdentity? Identity)
{
    public override string ToString() =>
        $"{Type} {Mode} {Uid}:{Gid} size={Size} mtime={ModifySeconds}.{ModifyNanoseconds:D9} rdev={DeviceNumber} " +
        $"link='{LinkTarget}' xattrs=[{ExtendedAttributes}] content={Content?[..12]} nlink={LinkCount} group={HardLinkGroup}" +
        (Identity is null ? "" : $" ino={Identity.Inode} ctime={Identity.ChangeSeconds}.{Identity.ChangeNanoseconds:D9}");
}

/// <summary>
/// The state of a directory tree (the root itself under the key "."), read with our own libc walker through
/// directory descriptors, so names of any bytes and paths beyond PATH_MAX are covered. Access times are left out:
/// reading is allowed to touch them.
/// </summary>
internal sealed class TreeState
{
    private TreeState(SortedDictionary<string, EntryState> entries, Dictionary<string, Libc.Stat> stats)
    {
        Entries = entries;
        Stats = stats;
    }

    /// <summary>Entries by escaped relative path ("." is the root).</summary>
    public SortedDictionary<string, EntryState> Entries { get; }

    /// <summary>The raw lstat of every entry, for checks beyond the record (allocated blocks, inode numbers).</summary>
    public Dictionary<string, Libc.Stat> Stats { get; }

    public static TreeState Capture(string root) => Capture(Encoding.UTF8.GetBytes(root));

    public static TreeState Capture(byte[] root)
    {
        var entries = new SortedDictionary<string, EntryState>(StringComparer.Ordinal);
        var stats = new Dictionary<string, Libc.Stat>();
        var parent = root.AsSpan().LastIndexOf((byte)'/');
        var parentPath = parent <= 0 ? "/"u8.ToArray() : root[..parent];
        var parentFd = Libc.OpenDirectory(Libc.AT_FDCWD, parentPath);
        try
        {
            Visit(parentFd, root[(parent + 1)..], ".", entries, stats);
        }
        finally
        {
            Libc.close(parentFd);
        }

        // Hard links: every name of one inode carries the smallest of its names, so two trees agree exactly
        // when their link structure is the same.
        var groups = stats.Where(kv => (kv.Value.Mode & Libc.S_IFMT) != Libc.S_IFDIR && kv.Value.LinkCount > 1)
            .GroupBy(kv => (kv.Value.Device, kv.Value.Inode));
        foreach (var group in groups)
        {
            var first = group.Select(kv => kv.Key).Min(StringComparer.Ordinal)!;
            foreach (var (key, _) in group)
            {
                entries[key] = entries[key] with { HardLinkGroup = first };
            }
        }

        return new TreeState(entries, stats);
    }

    private static void Visit(int dirfd, byte[] name, string key, SortedDictionary<string, EntryState> entries, Dictionary<string, Libc.Stat> stats)
    {
        var st = Libc.LStat(dirfd, name);
        var type = (st.Mode & Libc.S_IFMT) switch
        {
            Libc.S_IFREG => 'f',
            Libc.S_IFDIR => 'd',
            Libc.S_IFLNK => 'l',
            Libc.S_IFIFO => 'p',
            Libc.S_IFCHR => 'c',
            Libc.S_IFBLK => 'b',
            Libc.S_IFSOCK => 's',
            _ => '?',
        };
        var xattrs = string.Join(";", Libc.ExtendedAttributes(dirfd, name).Select(kv => kv.Key + "=" + Convert.ToHexStringLower(kv.Value)));
        entries[key] = new EntryState(
            type,
            Convert.ToString(st.Mode & 0xFFF, 8).PadLeft(4, '0'),
            st.Uid,
            st.Gid,
            type is 'f' or 'l' ? st.Size : 0, // a directory's size is the file system's business
            st.ModifySeconds,
            st.ModifyNanoseconds,
            type is 'c' or 'b' ? $"{st.DeviceNumber:x}" : "",
            type == 'l' ? Escape(Libc.ReadLink(dirfd, name)) : "",
            xattrs,
            type == 'f' ? Libc.HashFile(dirfd, name) : null,
            type == 'd' ? 0 : st.LinkCount,
            null,
            new EntryIdentity(st.Device, st.Inode, st.ChangeSeconds, st.ChangeNanoseconds));
        stats[key] = st;
        if (type != 'd')
        {
            return;
        }

        var fd = Libc.OpenDirectory(dirfd, name);
        try
        {
            var names = Libc.ListNames(fd);
            foreach (var child in names)
            {
                Visit(fd, child, key == "." ? Escape(child) : key + "/" + Escape(child), entries, stats);
            }
        }
        finally
        {
            Libc.close(fd);
        }
    }

    /// <summary>Printable ASCII as itself (but '\'), every other byte as \xNN: readable and one-to-one.</summary>
    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (var b in bytes)
        {
            if (b is > 0x20 and < 0x7F && b != (byte)'\\')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
            }
        }

        return text.ToString();
    }

    /// <summary>Asserts that <paramref name="actual"/> holds exactly the entries of <paramref name="expected"/> with equal metadata and content (identities ignored).</summary>
    public static void AssertSameContentAndMetadata(TreeState expected, TreeState actual) =>
        AssertEqual(expected, actual, e => e with { Identity = null });

    /// <summary>Asserts that nothing about the tree changed: same entries, same inodes, same change times.</summary>
    public static void AssertUnchanged(TreeState before, TreeState after) => AssertEqual(before, after, e => e);

    private static void AssertEqual(TreeState expected, TreeState actual, Func<EntryState, EntryState> normalize)
    {
        var problems = new List<string>();
        foreach (var (key, e) in expected.Entries)
        {
            if (!actual.Entries.TryGetValue(key, out var a))
            {
                problems.Add($"missing {key}: {e}");
            }
            else if (normalize(e) != normalize(a))
            {
                problems.Add($"differs {key}:\n    expected {normalize(e)}\n    actual   {normalize(a)}");
            }
        }

        foreach (var key in actual.Entries.Keys.Where(k => !expected.Entries.ContainsKey(k)))
        {
            problems.Add($"unexpected {key}: {actual.Entries[key]}");
        }

        if (problems.Count > 0)
        {
            Assert.Fail($"{problems.Count} difference(s) in {expected.Entries.Count} entries:\n" + string.Join("\n", problems.Take(25)));
        }
    }
}
