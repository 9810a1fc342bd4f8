namespace Hort.Cli;

/// <summary>A problem with how hort was called (missing repository, password, arguments).</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Fatal) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
