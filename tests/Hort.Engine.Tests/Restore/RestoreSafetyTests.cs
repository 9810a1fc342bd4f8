using System.Text;
using Hort.Core;
using Hort.Engine.Restore;
using Hort.Engine.Tests.Support;
using Hort.Repository;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;

namespace Hort.Engine.Tests.Restore;

/// <summary>
/// Hostile snapshots, written by hand as a compromised client or a tampered repository could, restored into a
/// target next to an "outside" directory: nothing outside the target may be created, changed or followed.
/// </summary>
public sealed class RestoreSafetyTests : IAsyncLifetime
{
    private readonly ScratchDirectory _scratch = new();

    /// <summary>Part of every payload name, so a stray file anywhere can be recognised.</summary>
    private readonly string _token = "hort-evil-" + Guid.NewGuid().ToString("N")[..12];

    private HortRepository _repository = null!;
    private TreeState _outsideBefore = null!;

    private string Outside => _scratch.SubText("outside");

    private string Secret => _scratch.SubText("outside/secret");

    private string Target => _scratch.SubText("target");

    public async ValueTask InitializeAsync()
    {
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("outside"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("outside/secret"), "secret"u8, 0x1A0);
        Libc.SetExtendedAttribute(_scratch.Sub("outside/secret"), "user.keep", "as is"u8);
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("outside/sub"));
        Libc.WriteFile(Libc.AT_FDCWD, _scratch.Sub("outside/sub/inner"), "inner"u8);
        Libc.SetTimes(Libc.AT_FDCWD, _scratch.Sub("outside/sub"), 1_000_000_000, 1);
        Libc.SetTimes(Libc.AT_FDCWD, _scratch.Sub("outside"), 1_000_000_000, 2);
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("target"));
        _outsideBefore = TreeState.Capture(Outside);
        _repository = await TestRepository.CreateAsync();
    }

    public ValueTask DisposeAsync()
    {
        _repository.Dispose();
        _scratch.Dispose();
        return ValueTask.CompletedTask;
    }

    private Task<RestoreResult> RestoreAsync(StoredSnapshot snapshot) => _repository.RestoreAsync(snapshot, Target);

    /// <summary>Outside is exactly as before, and no payload name turned up next to the target, in /tmp or in /.</summary>
    private void AssertNothingEscaped()
    {
        TreeState.AssertUnchanged(_outsideBefore, TreeState.Capture(Outside));
        Assert.Equal(["outside", "target"], Names(_scratch.Text));
        Assert.DoesNotContain(Names("/tmp"), n => n.Contains(_token, StringComparison.Ordinal));
        Assert.DoesNotContain(Names("/"), n => n.Contains(_token, StringComparison.Ordinal));
    }

    private static List<string> Names(string directory)
    {
        var fd = Libc.OpenDirectory(Libc.AT_FDCWD, Encoding.UTF8.GetBytes(directory));
        try
        {
            return Libc.ListNames(fd).Select(n => TreeState.Escape(n)).Order(StringComparer.Ordinal).ToList();
        }
        finally
        {
            Libc.close(fd);
        }
    }

    private static void AssertIssueFor(RestoreResult result, byte[] name, string messagePart)
    {
        var path = "/" + NameText.Display(name);
        Assert.True(
            result.Issues.Any(i => i.Path == path && i.Message.Contains(messagePart, StringComparison.Ordinal)),
            $"no issue \"{messagePart}\" for {path}; issues: {string.Join("; ", result.Issues.Select(i => i.Path + ": " + i.Message))}");
    }

    [Fact]
    public async Task Names_that_are_not_single_components_are_skipped_and_reported()
    {
        var unsafeNames = new[]
        {
            ".."u8.ToArray(),
            "."u8.ToArray(),
            "a/b"u8.ToArray(),
            Encoding.UTF8.GetBytes("../" + _token + "-up"),
            Encoding.UTF8.GetBytes("/tmp/" + _token + "-absolute"),
            Encoding.UTF8.GetBytes("../../../../../../../../tmp/" + _token + "-climb"),
            Encoding.UTF8.GetBytes(_token + "\0nul"),
        };
        var snapshot = await _repository.SaveHandMadeSnapshotAsync(async t =>
        {
            var nodes = new List<TreeNode> { await t.FileAsync("fine", "fine") };
            foreach (var (name, i) in unsafeNames.Select((n, i) => (n, i)))
            {
                // Every kind of entry under the unsafe names: directories with a payload inside, files, symlinks, devices.
                nodes.Add((i % 4) switch
                {
                    0 => await t.DirectoryAsync(name, await t.FileAsync(_token, "payload")),
                    1 => await t.FileAsync(name, Encoding.UTF8.GetBytes("payload")),
                    2 => HandMadeTrees.Symlink("x", "/etc/passwd") with { Name = name },
                    _ => new TreeNode { Name = name, Type = NodeType.CharDevice, Mode = 0x1B6, DeviceNumber = Libc.MakeDevice(1, 3) },
                });
            }

            return await t.TreeAsync([.. nodes]);
        });

        var result = await RestoreAsync(snapshot);

        foreach (var name in unsafeNames)
        {
            AssertIssueFor(result, name, "not a safe");
        }

        Assert.Equal(["fine"], Names(Target));
        AssertNothingEscaped();
    }

    [Fact]
    public async Task An_empty_name_makes_its_directory_unreadable_and_is_reported_as_damage_while_the_rest_restores()
    {
        var snapshot = await _repository.SaveHandMadeSnapshotAsync(async t => await t.TreeAsync(
            await t.DirectoryAsync("holder", await t.FileAsync([], Encoding.UTF8.GetBytes(_token))),
            await t.FileAsync("fine", "fine")));

        var result = await RestoreAsync(snapshot);

        AssertIssueFor(result, "holder"u8.ToArray(), "repository damage");
        Assert.Equal(["fine"], Names(Target));
        AssertNothingEscaped();
    }

    [Fact]
    public async Task A_symlink_from_an_earlier_restore_is_replaced_not_followed_when_a_later_snapshot_has_a_directory_there()
    {
        var first = await _repository.SaveHandMadeSnapshotAsync(async t => await t.TreeAsync(
            HandMadeTrees.Symlink("link", Outside),
            HandMadeTrees.Symlink("file-link", Secret)));
        var second = await _repository.SaveHandMadeSnapshotAsync(async t => await t.TreeAsync(
            await t.DirectoryAsync("link", await t.FileAsync("secret", "overwritten", mode: 0x1FF), await t.FileAsync(_token, "payload")),
            await t.FileAsync("file-link", "overwritten", mode: 0x1FF)));

        Assert.Empty((await RestoreAsync(first)).Issues);
        Assert.Equal(Encoding.UTF8.GetBytes(Outside), Libc.ReadLink(Libc.AT_FDCWD, _scratch.Sub("target/link")));
        var result = await RestoreAsync(second);

        Assert.Empty(result.Issues);
        Assert.Equal(Libc.S_IFDIR, Libc.LStat(_scratch.Sub("target/link")).Mode & Libc.S_IFMT);
        Assert.Equal("overwritten"u8.ToArray(), Libc.ReadFile(Libc.AT_FDCWD, _scratch.Sub("target/link/secret")));
        Assert.Equal("overwritten"u8.ToArray(), Libc.ReadFile(Libc.AT_FDCWD, _scratch.Sub("target/file-link")));
        AssertNothingEscaped();
    }

    [Fact]
    public async Task Symlinks_planted_in_the_target_under_the_names_the_restore_creates_are_never_followed()
    {
        foreach (var (name, to) in new[] { ("docs", Outside), ("notes", Secret), ("dev", Secret), ("pipe", Secret), ("link", Secret), ("sub", Outside + "/sub") })
        {
            Libc.Symlink(Encoding.UTF8.GetBytes(to), Libc.AT_FDCWD, _scratch.Sub("target/" + name));
        }

        var owned = new Timestamp(1_400_000_000, 9);
        var snapshot = await _repository.SaveHandMadeSnapshotAsync(async t => await t.TreeAsync(
            await t.DirectoryAsync("docs", await t.FileAsync("secret", "through docs", mode: 0x1FF)) with { Uid = 1234, Mode = 0x1FF, ModifyTime = owned },
            await t.FileAsync("notes", "through notes", mode: 0x9FF) with { Uid = 1234, Gid = 5678, ModifyTime = owned },
            new TreeNode { Name = "dev"u8.ToArray(), Type = NodeType.CharDevice, Mode = 0x1B6, DeviceNumber = Libc.MakeDevice(1, 3), Uid = 1234, ModifyTime = owned },
            new TreeNode { Name = "pipe"u8.ToArray(), Type = NodeType.Fifo, Mode = 0x1FF, Uid = 1234, ModifyTime = owned },
            HandMadeTrees.Symlink("link", "elsewhere") with { Uid = 1234, ModifyTime = owned },
            await t.DirectoryAsync("sub", await t.DirectoryAsync("inner", await t.FileAsync(_token, "payload"))) with { Uid = 1234, ModifyTime = owned }));

        var result = await RestoreAsync(snapshot);

        Assert.Empty(result.Issues);
        var kinds = new[] { ("docs", Libc.S_IFDIR), ("notes", Libc.S_IFREG), ("dev", Libc.S_IFCHR), ("pipe", Libc.S_IFIFO), ("link", Libc.S_IFLNK), ("sub", Libc.S_IFDIR) };
        foreach (var (name, kind) in kinds)
        {
            var st = Libc.LStat(_scratch.Sub("target/" + name));
            Assert.True(kind == (st.Mode & Libc.S_IFMT), $"{name} is 0{Convert.ToString(st.Mode, 8)}");
            Assert.Equal((1234u, 1_400_000_000L, 9L), (st.Uid, st.ModifySeconds, st.ModifyNanoseconds));
        }

        Assert.Equal("elsewhere"u8.ToArray(), Libc.ReadLink(Libc.AT_FDCWD, _scratch.Sub("target/link")));
        AssertNothingEscaped();
    }

    [Fact]
    public async Task Hard_links_to_an_outside_file_planted_in_the_target_are_unlinked_not_written_through()
    {
        Libc.MakeDirectory(Libc.AT_FDCWD, _scratch.Sub("target/docs"));
        Libc.HardLink(Libc.AT_FDCWD, Encoding.UTF8.GetBytes(Secret), Libc.AT_FDCWD, _scratch.Sub("target/notes"));
        Libc.HardLink(Libc.AT_FDCWD, Encoding.UTF8.GetBytes(Secret), Libc.AT_FDCWD, _scratch.Sub("target/docs/report"));
        Libc.HardLink(Libc.AT_FDCWD, Encoding.UTF8.GetBytes(Secret), Libc.AT_FDCWD, _scratch.Sub("target/dev"));
        var before = Libc.LStat(Encoding.UTF8.GetBytes(Secret));
        var snapshot = await _repository.SaveHandMadeSnapshotAsync(async t =>
        {
            var notes = await t.FileAsync("notes", "through the link", mode: 0xDFF) with { Uid = 1234, Gid = 5678, LinkCount = 2, Inode = 77 };
            return await t.TreeAsync(
                notes,
                await t.DirectoryAsync("docs", notes with { Name = "report"u8.ToArray() }),
                new TreeNode { Name = "dev"u8.ToArray(), Type = NodeType.CharDevice, Mode = 0x1FF, DeviceNumber = Libc.MakeDevice(1, 3), Uid = 1234 });
        });

        var result = await RestoreAsync(snapshot);

        Assert.Empty(result.Issues);
        var after = Libc.LStat(Encoding.UTF8.GetBytes(Secret));
        Assert.Equal((before.Mode, before.Uid, before.Gid, before.Size, before.ModifySeconds, before.ModifyNanoseconds),
            (after.Mode, after.Uid, after.Gid, after.Size, after.ModifySeconds, after.ModifyNanoseconds));
        Assert.Equal(1UL, after.LinkCount); // all three planted names were unlinked
        Assert.Equal("secret"u8.ToArray(), Libc.ReadFile(Libc.AT_FDCWD, Encoding.UTF8.GetBytes(Secret)));
        Assert.Equal("as is"u8.ToArray(), Libc.ExtendedAttributes(Libc.AT_FDCWD, Encoding.UTF8.GetBytes(Secret))["user.keep"]);
        Assert.Equal("through the link"u8.ToArray(), Libc.ReadFile(Libc.AT_FDCWD, _scratch.Sub("target/docs/report")));
        Assert.Equal(Libc.LStat(_scratch.Sub("target/notes")).Inode, Libc.LStat(_scratch.Sub("target/docs/report")).Inode);
        Assert.Equal(Libc.S_IFCHR, Libc.LStat(_scratch.Sub("target/dev")).Mode & Libc.S_IFMT);
    }

    /// <summary>
    /// When owners are not restored, root would own every file: a setuid or setgid bit recorded for another user must
    /// not turn into a setuid-root or setgid-root program (GNU tar and cp drop the bits when they cannot keep the owner).
    /// </summary>
    [Fact]
    public async Task Without_owners_a_setuid_file_of_another_user_does_not_become_setuid_root()
    {
        var snapshot = await _repository.SaveHandMadeSnapshotAsync(async t => await t.TreeAsync(
            await t.FileAsync("suid", "#!/bin/sh\n", mode: 0xDED /* 06755 */) with { Uid = 1234, Gid = 5678 }));

        await new Restorer(_repository, new RestoreOptions { Target = Target, RestoreOwnership = false })
            .RunAsync(snapshot, TestContext.Current.CancellationToken);

        var st = Libc.LStat(_scratch.Sub("target/suid"));
        Assert.False(st.Uid == 0 && (st.Mode & 0x800) != 0, $"setuid root: mode 0{Convert.ToString(st.Mode & 0xFFF, 8)} owner {st.Uid}");
        Assert.False(st.Gid == 0 && (st.Mode & 0x400) != 0, $"setgid root: mode 0{Convert.ToString(st.Mode & 0xFFF, 8)} group {st.Gid}");
        Assert.Equal(0x1EDu, st.Mode & 0x1FF); // the permission bits themselves stay
    }

    [Fact]
    public async Task A_hard_link_node_claiming_the_inode_of_a_file_outside_gets_a_file_of_its_own()
    {
        var secret = Libc.LStat(Encoding.UTF8.GetBytes(Secret));
        var snapshot = await _repository.SaveHandMadeSnapshotAsync(async t =>
        {
            var claim = await t.FileAsync("claim", "mine");
            claim = claim with { Device = secret.Device, Inode = secret.Inode, LinkCount = 2 };
            return await t.TreeAsync(claim, claim with { Name = "claim-too"u8.ToArray() });
        });

        var result = await RestoreAsync(snapshot);

        Assert.Empty(result.Issues);
        var claim = Libc.LStat(_scratch.Sub("target/claim"));
        Assert.NotEqual(secret.Inode, claim.Inode);
        Assert.Equal(2UL, claim.LinkCount); // the two names in the snapshot became links to each other, nothing else
        Assert.Equal(claim.Inode, Libc.LStat(_scratch.Sub("target/claim-too")).Inode);
        Assert.Equal("mine"u8.ToArray(), Libc.ReadFile(Libc.AT_FDCWD, _scratch.Sub("target/claim")));
        AssertNothingEscaped();
    }

    [Fact]
    public async Task A_file_node_claiming_a_huge_size_without_content_is_reported_and_takes_no_space()
    {
        var snapshot = await _repository.SaveHandMadeSnapshotAsync(async t => await t.TreeAsync(
            await t.FileAsync("huge", "") with { Size = 1UL << 50 },
            await t.FileAsync("largest", "") with { Size = ulong.MaxValue },
            await t.FileAsync("short", "abc") with { Size = 1UL << 40 },
            await t.FileAsync("fine", "fine")));

        var result = await RestoreAsync(snapshot);

        AssertIssueFor(result, "huge"u8.ToArray(), "restored 0 bytes");
        AssertIssueFor(result, "largest"u8.ToArray(), "restored 0 bytes");
        AssertIssueFor(result, "short"u8.ToArray(), "restored 3 bytes");
        foreach (var (name, size) in new[] { ("huge", 0L), ("largest", 0L), ("short", 3L) })
        {
            var st = Libc.LStat(_scratch.Sub("target/" + name));
            Assert.Equal(size, st.Size);
            Assert.True(st.Blocks <= 8, $"{name} occupies {st.Blocks} blocks");
        }

        Assert.Equal("fine"u8.ToArray(), Libc.ReadFile(Libc.AT_FDCWD, _scratch.Sub("target/fine")));
        AssertNothingEscaped();
    }

    [Fact]
    public async Task Missing_chunks_and_subtrees_are_reported_and_the_rest_restores()
    {
        var missing = new ObjectId(System.Security.Cryptography.RandomNumberGenerator.GetBytes(ObjectId.Size));
        var snapshot = await _repository.SaveHandMadeSnapshotAsync(async t => await t.TreeAsync(
            await t.FileAsync("a-broken-file", "") with { Content = [missing], Size = 10 },
            await t.DirectoryAsync("b-broken-dir") with { Subtree = missing },
            await t.FileAsync("c-fine", "fine")));

        var result = await RestoreAsync(snapshot);

        AssertIssueFor(result, "a-broken-file"u8.ToArray(), "repository damage");
        AssertIssueFor(result, "b-broken-dir"u8.ToArray(), "repository damage");
        Assert.Equal("fine"u8.ToArray(), Libc.ReadFile(Libc.AT_FDCWD, _scratch.Sub("target/c-fine")));
        AssertNothingEscaped();
    }
}
