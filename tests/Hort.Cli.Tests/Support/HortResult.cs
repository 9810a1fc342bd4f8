using System.Text.RegularExpressions;

namespace Hort.Cli.Tests.Support;

/// <summary>What one run of the hort program printed and returned.</summary>
internal sealed partial record HortResult(int ExitCode, string Stdout, string Stderr, bool Killed = false)
{
    /// <summary>Standard error split into lines, without the final empty one.</summary>
    public string[] StderrLines => Lines(Stderr);

    /// <summary>Standard output split into lines, without the final empty one.</summary>
    public string[] StdoutLines => Lines(Stdout);

    /// <summary>Every 64-hex-digit ID printed on standard output.</summary>
    public IReadOnlyList<string> PrintedIds() => IdPattern().Matches(Stdout).Select(m => m.Value).ToList();

    public override string ToString() => $"exit {ExitCode}{(Killed ? " (killed)" : "")}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";

    private static string[] Lines(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n').Split('\n');

    [GeneratedRegex(@"\b[0-9a-f]{64}\b")]
    private static partial Regex IdPattern();
}
