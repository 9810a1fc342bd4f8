using System.CommandLine;
using Hort.Cli.Output;
using Hort.Repository;
using Hort.Storage;

namespace Hort.Cli.Commands;

/// <summary><c>hort init</c>: creates a repository.</summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var command = new Command("init", "Create a new repository (the directory must be empty or not exist)");
        CommandAction.Set(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        var location = ctx.RequireRepositoryLocation();
        if (File.Exists(Path.Combine(location, BlobName.ConfigName)))
        {
            throw new CliException($"a repository already exists at {location}; nothing was changed");
        }

        if (Directory.Exists(location) && Directory.EnumerateFileSystemEntries(location).Any())
        {
            throw new CliException($"{location} is not empty; choose an empty or new directory for the repository");
        }

        var password = ctx.ReadPassword("enter password for new repository: ", confirm: true);
        // Like mkdir -p: init is the one command that may create the repository's folder and its parents.
        var parent = Path.GetDirectoryName(location);
        if (parent is not null)
        {
            Directory.CreateDirectory(parent);
        }

        var store = LocalDirectoryBlobStore.Create(location);
        using var repo = await HortRepository.InitAsync(store, password, new RepositoryInitOptions(), cancellationToken: ct).ConfigureAwait(false);
        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, new InitializedMessage(repo.Config.Id.ToString(), location), CliJsonContext.Default.InitializedMessage);
        }
        else
        {
            ctx.Info($"created hort repository {repo.Config.Id.ToShortString()} at {location}");
            ctx.Info("");
            ctx.Info("Keep the password safe: without it the data in this repository cannot be read by anyone.");
        }

        return ExitCodes.Ok;
    }
}
