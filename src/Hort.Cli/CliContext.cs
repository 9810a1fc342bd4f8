using System.CommandLine;
using System.Text;
using Hort.Core;
using Hort.Repository;
using Hort.Storage;

namespace Hort.Cli;

/// <summary>What one invocation needs: where the repository is, how to get the password, where to print.</summary>
internal sealed class CliContext
{
    public CliContext(ParseResult parse, TextWriter output, TextWriter error)
    {
        Parse = parse;
        Out = output;
        Err = error;
        RepositoryLocation = parse.GetValue(GlobalOptions.Repository) ?? Environment.GetEnvironmentVariable("HORT_REPOSITORY");
        PasswordFile = parse.GetValue(GlobalOptions.PasswordFile) ?? Environment.GetEnvironmentVariable("HORT_PASSWORD_FILE");
        Json = parse.GetValue(GlobalOptions.Json);
        Quiet = parse.GetValue(GlobalOptions.Quiet);
    }

    public ParseResult Parse { get; }

    public TextWriter Out { get; }

    public TextWriter Err { get; }

    public string? RepositoryLocation { get; }

    public string? PasswordFile { get; }

    public bool Json { get; }

    public bool Quiet { get; }

    /// <summary>Live progress only for a person watching a terminal.</summary>
    public bool ShowProgress => !Quiet && !Json && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("TERM") != "dumb";

    public string RequireRepositoryLocation() => string.IsNullOrWhiteSpace(RepositoryLocation)
        ? throw new CliException("no repository given: use --repo DIR or set HORT_REPOSITORY")
        : Path.GetFullPath(RepositoryLocation);

    /// <summary>The store for an existing repository.</summary>
    public IBlobStore OpenStore()
    {
        var location = RequireRepositoryLocation();
        if (!Directory.Exists(location))
        {
            throw new CliException($"there is no repository at {location} (the directory does not exist); create one with 'hort init'", ExitCodes.NoRepository);
        }

        return new LocalDirectoryBlobStore(location);
    }

    /// <summary>The password from --password-file, $HORT_PASSWORD_FILE, $HORT_PASSWORD or a terminal prompt.</summary>
    public string ReadPassword(string prompt = "enter password for repository: ", bool confirm = false)
    {
        if (PasswordFile is not null)
        {
            return ReadPasswordFile(PasswordFile);
        }

        var env = Environment.GetEnvironmentVariable("HORT_PASSWORD");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }

        return Prompt(prompt, confirm);
    }

    /// <summary>Reads the first line of a password file.</summary>
    public static string ReadPasswordFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (IOException e)
        {
            throw new CliException($"cannot read password file {path}: {e.Message}");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliException($"cannot read password file {path}: {e.Message}");
        }

        var line = text.Split('\n')[0].TrimEnd('\r');
        return line.Length == 0 ? throw new CliException($"password file {path} is empty") : line;
    }

    /// <summary>Asks on the terminal without echo; refuses when there is no terminal.</summary>
    public string Prompt(string prompt, bool confirm)
    {
        if (Console.IsInputRedirected)
        {
            throw new CliException("no password given: set HORT_PASSWORD or HORT_PASSWORD_FILE, or use --password-file (there is no terminal to ask on)");
        }

        var first = ReadHidden(prompt);
        if (confirm && ReadHidden("enter password again: ") != first)
        {
            throw new CliException("the passwords do not match; nothing was changed");
        }

        return first.Length == 0 ? throw new CliException("an empty password is not allowed") : first;
    }

    private string ReadHidden(string prompt)
    {
        Err.Write(prompt);
        Err.Flush();
        var sb = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (sb.Length > 0) sb.Length--;
                continue;
            }

            if (!char.IsControl(key.KeyChar)) sb.Append(key.KeyChar);
        }

        Err.WriteLine();
        return sb.ToString();
    }

    /// <summary>
    /// Opens the repository with the password; optionally loads the index. Read-only commands also read the headers
    /// of packs that no index lists, without writing anything.
    /// </summary>
    public async Task<HortRepository> OpenRepositoryAsync(bool loadIndex, CancellationToken ct, bool readOnly = true)
    {
        var store = OpenStore();
        var password = ReadPassword();
        var repo = await HortRepository.OpenAsync(store, password, cancellationToken: ct).ConfigureAwait(false);
        if (loadIndex)
        {
            try
            {
                await repo.LoadIndexAsync(ct).ConfigureAwait(false);
                if (!readOnly)
                {
                    return repo;
                }

                // Packs no index lists (an interrupted backup, a lost index file) are still readable.
                var (found, damaged) = await repo.LoadUnindexedPacksAsync(ct).ConfigureAwait(false);
                if (found > 0)
                {
                    Warn($"note: {found} pack(s) are not listed by any index; their contents were read from the packs themselves (the next backup indexes them)");
                }

                foreach (var d in damaged)
                {
                    Warn($"warning: pack {d} is not listed by any index and its header cannot be read");
                }
            }
            catch
            {
                repo.Dispose();
                throw;
            }
        }

        return repo;
    }

    /// <summary>Warns on stderr when repair marked the snapshot damaged, naming the paths that cannot be restored intact.</summary>
    public async Task WarnIfDamagedAsync(HortRepository repo, ObjectId snapshot, CancellationToken ct)
    {
        if (await repo.TryLoadDamageRecordAsync(snapshot, ct).ConfigureAwait(false) is { } record)
        {
            Warn($"warning: snapshot {snapshot.ToShortString()} is marked damaged (repair on {record.Time:yyyy-MM-dd HH:mm}); these paths cannot be restored intact:");
            foreach (var path in record.Paths)
            {
                Warn("  " + path);
            }
        }
    }

    /// <summary>Writes a line unless --quiet or --json (JSON output holds nothing but JSON documents).</summary>
    public void Info(string line)
    {
        if (!Quiet && !Json) Out.WriteLine(line);
    }

    /// <summary>Writes a warning to stderr.</summary>
    public void Warn(string line) => Err.WriteLine(line);
}
