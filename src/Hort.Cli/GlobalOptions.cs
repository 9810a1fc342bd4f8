using System.CommandLine;

namespace Hort.Cli;

/// <summary>Options every verb accepts.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Repository = new("--repo", "-r")
    {
        Description = "Repository location (a directory); default: $HORT_REPOSITORY",
        Recursive = true,
    };

    public static readonly Option<string?> PasswordFile = new("--password-file", "-p")
    {
        Description = "Read the password from the first line of this file; default: $HORT_PASSWORD_FILE, $HORT_PASSWORD, else a prompt",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print machine-readable JSON instead of text",
        Recursive = true,
    };

    public static readonly Option<bool> Quiet = new("--quiet", "-q")
    {
        Description = "Print only errors and the essential result",
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Repository);
        root.Options.Add(PasswordFile);
        root.Options.Add(Json);
        root.Options.Add(Quiet);
    }
}
