using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary><c>--help</c> for hort and every verb: exit 0, and the options a user needs are named.</summary>
public sealed class HelpTests
{
    public static TheoryData<string, string[]> Verbs => new()
    {
        { "init", ["--repo", "--password-file"] },
        { "backup", ["--host", "--tag", "--exclude", "--exclude-file", "--exclude-caches", "--parent", "--force", "--compression", "--json", "--quiet"] },
        { "snapshots", ["--host", "--tag", "--json"] },
        { "ls", ["-l", "SNAPSHOT", "PATH"] },
        { "restore", ["--target", "--include", "--host"] },
        { "diff", ["SNAPSHOT1", "SNAPSHOT2"] },
        { "check", ["--read-data", "--read-data-subset"] },
        { "repair", ["--dry-run", "--headers-only"] },
        { "key", ["list", "add", "remove", "passwd"] },
        { "key add", ["--new-password-file"] },
        { "key passwd", ["--new-password-file"] },
        { "key remove", ["ID"] },
        { "cat", ["config", "snapshot"] },
        { "cat snapshot", ["ID"] },
        { "agent", ["enroll", "run", "status", "--state"] },
        { "agent enroll", ["--server", "--code", "--fingerprint"] },
        { "agent run", ["--limit-upload", "--limit-download"] },
    };

    [Theory]
    [MemberData(nameof(Verbs))]
    public async Task Every_verb_explains_its_options(string verb, string[] mentions)
    {
        var (code, output, error) = await RunInProcessAsync([.. verb.Split(' '), "--help"]);

        Assert.Equal(0, code);
        Assert.Equal("", error);
        foreach (var option in mentions)
        {
            Assert.Contains(option, output);
        }
    }

    [Fact]
    public async Task Hort_help_names_every_verb_and_the_global_options()
    {
        var result = await new HortProcess().RunAsync("--help");

        Assert.True(result.ExitCode == 0, result.ToString());
        foreach (var word in new[] { "init", "backup", "snapshots", "ls", "restore", "diff", "check", "key", "cat", "--repo", "--password-file", "--json", "--quiet" })
        {
            Assert.Contains(word, result.Stdout);
        }
    }

    [Fact]
    public async Task Version_prints_the_program_version()
    {
        var (code, output, _) = await RunInProcessAsync(["--version"]);

        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", output);
    }

    [Fact]
    public async Task An_unknown_option_is_a_usage_error_with_exit_code_2()
    {
        var (code, output, error) = await RunInProcessAsync(["snapshots", "--no-such-option"]);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("hort: ", error);
        Assert.Contains("--no-such-option", error);
    }

    [Fact]
    public async Task A_missing_argument_is_a_usage_error_with_exit_code_2()
    {
        var (code, _, error) = await RunInProcessAsync(["restore", "latest", "--repo", "/nonexistent"]);

        Assert.Equal(2, code);
        Assert.Contains("--target", error);
    }

    private static async Task<(int Code, string Output, string Error)> RunInProcessAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await Program.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }
}
