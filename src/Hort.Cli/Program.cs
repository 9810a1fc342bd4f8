using System.CommandLine;
using Hort.Cli.Commands;
using Hort.Core;
using Hort.Storage;

namespace Hort.Cli;

/// <summary>The <c>hort</c> command line.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        using var youngGeneration = YoungGenerationCap.Start();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        return await RunAsync(args, Console.Out, Console.Error, cancel.Token).ConfigureAwait(false);
    }

    /// <summary>Parses and runs one command; returns the exit code. Used by Main and by tests.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        CommandAction.UseWriters(output, error);
        var root = BuildRoot();
        var parse = root.Parse(args);
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                error.WriteLine($"hort: {e.Message}");
            }

            error.WriteLine("Run 'hort --help' for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(config, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var (message, code) = Describe(e);
            error.WriteLine($"hort: {message}");
            return code;
        }
    }

    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "hort — deduplicating, encrypted backups into a repository you own\n\n" +
            "Exit codes: 0 ok, 1 fatal error (or check found damage), 2 usage error, 3 incomplete (files named on stderr),\n" +
            "10 no repository, 12 wrong password. Details: docs/cli.md");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(InitCommand.Create());
        root.Subcommands.Add(BackupCommand.Create());
        root.Subcommands.Add(SnapshotsCommand.Create());
        root.Subcommands.Add(LsCommand.Create());
        root.Subcommands.Add(RestoreCommand.Create());
        root.Subcommands.Add(DiffCommand.Create());
        root.Subcommands.Add(CheckCommand.Create());
        root.Subcommands.Add(RepairCommand.Create());
        root.Subcommands.Add(KeyCommand.Create());
        root.Subcommands.Add(CatCommand.Create());
        root.Subcommands.Add(ForgetCommand.Create());
        root.Subcommands.Add(LockCommand.Create());
        root.Subcommands.Add(PruneCommand.Create());
        root.Subcommands.Add(AgentCommand.Create());
        return root;
    }

    /// <summary>One clear line and an exit code for every error that reaches the top.</summary>
    private static (string Message, int Code) Describe(Exception e) => e switch
    {
        CliException c => (c.Message, c.ExitCode),
        WrongPasswordException => (e.Message, ExitCodes.WrongPassword),
        RepositoryNotFoundException => (e.Message, ExitCodes.NoRepository),
        StorageFullException => (e.Message, ExitCodes.Fatal),
        HortException h when h.InnerException is StorageFullException s => ($"{h.Message}: {s.Message}", ExitCodes.Fatal),
        HortException => (e.Message, ExitCodes.Fatal),
        OperationCanceledException => ("interrupted; nothing incomplete was committed", 130),
        IOException => ($"I/O error: {e.Message}", ExitCodes.Fatal),
        UnauthorizedAccessException => ($"permission denied: {e.Message}", ExitCodes.Fatal),
        _ => ($"internal error: {e}", ExitCodes.Fatal),
    };
}
