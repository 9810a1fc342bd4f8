namespace Hort.Cli.Tests.Support;

/// <summary>Assertions about how hort reports a failure.</summary>
internal static class HortAssert
{
    /// <summary>Standard error is exactly one line, "hort: …", with no exception type or stack trace.</summary>
    public static string OneLineError(HortResult result)
    {
        Assert.True(result.StderrLines.Length == 1, "expected exactly one line on stderr: " + result);
        var line = result.StderrLines[0];
        Assert.StartsWith("hort: ", line);
        Assert.DoesNotContain("Exception", line);
        Assert.DoesNotContain("   at ", result.Stderr);
        return line;
    }

    /// <summary>The command failed with <paramref name="exitCode"/> and one clear line; returns the line.</summary>
    public static string Fails(HortResult result, int exitCode)
    {
        Assert.True(result.ExitCode == exitCode, $"expected exit code {exitCode}: {result}");
        return OneLineError(result);
    }
}
