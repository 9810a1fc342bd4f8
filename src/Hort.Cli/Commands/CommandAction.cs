using System.CommandLine;

namespace Hort.Cli.Commands;

/// <summary>Connects a verb's implementation to System.CommandLine with hort's context and writers.</summary>
internal static class CommandAction
{
    private static readonly AsyncLocal<(TextWriter Out, TextWriter Err)?> Writers = new();

    /// <summary>Sets the writers used by the commands run on this async flow (tests capture output this way).</summary>
    public static void UseWriters(TextWriter output, TextWriter error) => Writers.Value = (output, error);

    public static void Set(Command command, Func<CliContext, CancellationToken, Task<int>> run) =>
        command.SetAction((parse, ct) =>
        {
            var (output, error) = Writers.Value ?? (Console.Out, Console.Error);
            return run(new CliContext(parse, output, error), ct);
        });
}
