using Hort.Core;
using Hort.Engine.Tests.Support;

namespace Hort.Engine.Tests.Backup;

/// <summary>
/// Files that change or fail while being read are reported as issues and never stop the backup.
/// </summary>
/// <remarks>
/// A file vanishing between the directory listing and its open is a race the archiver offers no hook for (progress
/// reports come from a timer), and as root no permission bit makes a file unreadable. So these tests use /proc,
/// where the kernel misbehaves deterministically: /proc/PID/status reports size 0 but reads back about a kilobyte
/// (a file whose size changed while it was read), and /proc/PID/mem opens but fails to read at offset 0 with EIO.
/// Sockets, which cannot be opened at all, are covered by the round trip of <see cref="EveryKindOfEntry"/>.
/// </remarks>
public sealed class BackupIssueTests
{
    private static readonly string Process = "/proc/" + Environment.ProcessId;

    [Fact]
    public async Task A_file_whose_size_differs_from_what_was_read_is_saved_and_reported_as_changed()
    {
        using var repository = await TestRepository.CreateAsync();

        var backup = await repository.BackupAsync(Process + "/status");

        var issue = Assert.Single(backup.Issues, i => i.Path == Process + "/status");
        Assert.Contains("changed while being read", issue.Message, StringComparison.Ordinal);
        var node = await repository.FindNodeAsync(backup.Snapshot, Process + "/status");
        Assert.True(node.Size > 0, "the bytes read are kept");
        Assert.Equal(backup.Issues.Count, backup.Snapshot.Summary!.Errors);
    }

    [Fact]
    public async Task A_file_that_fails_to_read_is_reported_left_out_and_the_rest_is_saved()
    {
        using var repository = await TestRepository.CreateAsync();

        var backup = await repository.BackupAsync(Process + "/mem", Process + "/cmdline");

        var issue = Assert.Single(backup.Issues, i => i.Path == Process + "/mem");
        Assert.Contains("could not be read", issue.Message, StringComparison.Ordinal);
        var tree = await repository.LoadTreeAsync((await repository.FindNodeAsync(backup.Snapshot, Process)).Subtree, TestContext.Current.CancellationToken);
        Assert.Null(tree.Find("mem"u8));
        Assert.NotNull(tree.Find("cmdline"u8));
    }

    [Fact]
    public async Task A_missing_path_fails_the_backup_before_anything_is_saved()
    {
        using var scratch = new ScratchDirectory();
        using var repository = await TestRepository.CreateAsync();

        var error = await Assert.ThrowsAsync<HortException>(() => repository.BackupAsync(scratch.SubText("missing")));

        Assert.Contains(scratch.SubText("missing"), error.Message, StringComparison.Ordinal);
        Assert.Empty(await repository.ListSnapshotsAsync(TestContext.Current.CancellationToken));
    }
}
