using System.CommandLine;
using Hort.Cli.Output;
using Hort.Repository;

namespace Hort.Cli.Commands;

/// <summary><c>hort key add|list|remove|passwd</c>: manages the passwords that open the repository.</summary>
internal static class KeyCommand
{
    private static readonly Option<string?> NewPasswordFile = new("--new-password-file") { Description = "Read the new password from this file (default: $HORT_NEW_PASSWORD, else a prompt)" };

    public static Command Create()
    {
        var command = new Command("key", "Manage keys (passwords) of the repository");

        var list = new Command("list", "List keys; * marks the key of the password in use");
        CommandAction.Set(list, ListAsync);

        var add = new Command("add", "Add a key: another password for the same repository") { NewPasswordFile };
        CommandAction.Set(add, async (ctx, ct) =>
        {
            using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
            var password = NewPassword(ctx);
            var id = await repo.AddKeyAsync(password, KeyDerivationCost.Default, Environment.MachineName, Environment.UserName, ct).ConfigureAwait(false);
            ctx.Info($"saved new key {id.ToShortString()}");
            return ExitCodes.Ok;
        });

        var idArg = new Argument<string>("ID") { Description = "Key ID or unique prefix" };
        var remove = new Command("remove", "Remove a key (not the one in use)") { idArg };
        CommandAction.Set(remove, async (ctx, ct) =>
        {
            using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
            var id = await repo.FindKeyAsync(ctx.Parse.GetValue(idArg)!, ct).ConfigureAwait(false);
            await repo.RemoveKeyAsync(id, ct).ConfigureAwait(false);
            ctx.Info($"removed key {id.ToShortString()}");
            return ExitCodes.Ok;
        });

        var passwd = new Command("passwd", "Change the password of the key in use") { NewPasswordFile };
        CommandAction.Set(passwd, async (ctx, ct) =>
        {
            using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
            var password = NewPassword(ctx);
            var id = await repo.ChangePasswordAsync(password, KeyDerivationCost.Default, Environment.MachineName, Environment.UserName, ct).ConfigureAwait(false);
            ctx.Info($"password changed; the key is now {id.ToShortString()}");
            return ExitCodes.Ok;
        });

        command.Subcommands.Add(list);
        command.Subcommands.Add(add);
        command.Subcommands.Add(remove);
        command.Subcommands.Add(passwd);
        return command;
    }

    private static string NewPassword(CliContext ctx)
    {
        var file = ctx.Parse.GetValue(NewPasswordFile);
        if (file is not null)
        {
            return CliContext.ReadPasswordFile(file);
        }

        var env = Environment.GetEnvironmentVariable("HORT_NEW_PASSWORD");
        return !string.IsNullOrEmpty(env) ? env : ctx.Prompt("enter new password: ", confirm: true);
    }

    private static async Task<int> ListAsync(CliContext ctx, CancellationToken ct)
    {
        using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);
        var keys = await repo.ListKeysAsync(ct).ConfigureAwait(false);
        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, keys.Select(k => new KeyEntry(k.Id.ToString(), Current: k.IsCurrent, k.Created, k.Hostname, k.Username)).ToArray(),
                CliJsonContext.Default.KeyEntryArray);
            return ExitCodes.Ok;
        }

        Table.Write(ctx.Out, [" ID", "Created", "Host", "User"], keys.Select(k => new[]
        {
            (k.IsCurrent ? "*" : " ") + k.Id.ToShortString(), Units.Time(k.Created), k.Hostname, k.Username,
        }).ToList());
        return ExitCodes.Ok;
    }
}
