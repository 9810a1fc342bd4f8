using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary>Exit code 3: the snapshot is saved, and every file that could not be read is named.</summary>
public sealed class IncompleteBackupTests
{
    [Fact]
    public async Task A_file_that_cannot_be_read_is_named_the_snapshot_is_saved_and_the_exit_code_is_3()
    {
        using var repo = await CliRepository.CreateAsync("incomplete");
        var source = repo.Dir.Sub("src");
        Directory.CreateDirectory(source);
        await File.WriteAllTextAsync(Path.Combine(source, "kept.txt"), "this one is readable", TestContext.Current.CancellationToken);

        // Even root cannot read a process's memory at offset 0 (it is never mapped): a file whose read fails.
        var unreadable = "/proc/self/mem";
        var result = await repo.RunAsync("backup", source, unreadable);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(result.StderrLines, line => line.StartsWith("error: /proc/", StringComparison.Ordinal) && line.Contains("/mem: ", StringComparison.Ordinal));
        Assert.Contains(result.StderrLines, line => line.Contains("could not be read", StringComparison.Ordinal));
        var id = Assert.Single(result.PrintedIds());

        var snapshots = await repo.RunOkAsync("snapshots", "--json");
        Assert.Contains(id, snapshots.StdoutLines[0], StringComparison.Ordinal);

        var target = repo.Dir.Sub("restored");
        await repo.RunOkAsync("restore", id, "--target", target);
        Assert.Equal("this one is readable", await File.ReadAllTextAsync(Path.Combine(target + source, "kept.txt"), TestContext.Current.CancellationToken));
        Assert.Equal(0, (await repo.RunAsync("check")).ExitCode);
    }
}
