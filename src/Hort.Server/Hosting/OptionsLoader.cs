using Hort.Core;
using Microsoft.Extensions.Configuration;

namespace Hort.Server.Hosting;

/// <summary>The command line's verb and settings.</summary>
public sealed record CommandLine(string Verb, IReadOnlyDictionary<string, string?> Settings);

/// <summary>Reads hortd's settings: defaults, then <c>hortd.json</c> in the data folder, then <c>HORTD_</c> variables, then the command line.</summary>
public static class OptionsLoader
{
    public const string FileName = "hortd.json";
    public const string EnvironmentPrefix = "HORTD_";

    /// <summary>Command-line switches and the setting each sets.</summary>
    private static readonly Dictionary<string, string> Switches = new(StringComparer.Ordinal)
    {
        ["--data"] = nameof(HortdOptions.DataDirectory),
        ["--listen"] = nameof(HortdOptions.Listen),
        ["--port"] = nameof(HortdOptions.Port),
        ["--repository"] = nameof(HortdOptions.RepositoryPath),
        ["--catalog"] = "Catalog:Provider",
        ["--catalog-connection"] = "Catalog:ConnectionString",
    };

    public static readonly string[] Verbs = ["run", "rebuild-catalog"];

    public const string Usage = """
        Usage: hortd [run|rebuild-catalog] [options]

          run               start the server (default)
          rebuild-catalog   rebuild the catalog from the repository alone, then exit

        Options (each also settable in <data>/hortd.json and as HORTD_<Name> environment variables):
          --data DIR                  data folder (default ~/.local/share/hortd, /var/lib/hortd as root)
          --listen ADDRESS            IP address to listen on (default 127.0.0.1)
          --port N                    HTTPS port (default 8443)
          --repository DIR            repository folder (default <data>/repository)
          --catalog sqlite|postgresql catalog database (default sqlite)
          --catalog-connection TEXT   PostgreSQL connection string
          --help, --version
        """;

    /// <summary>Splits the arguments into a verb and switch settings; unknown arguments are an error.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var verb = "run";
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (i == 0 && Verbs.Contains(arg))
            {
                verb = arg;
                continue;
            }

            var name = arg;
            string? value = null;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                name = arg[..equals];
                value = arg[(equals + 1)..];
            }

            if (!Switches.TryGetValue(name, out var key))
            {
                throw new HortException($"unknown argument '{arg}'; see hortd --help");
            }

            if (value is null)
            {
                if (i + 1 >= args.Count) throw new HortException($"{name} needs a value");
                value = args[++i];
            }

            settings[key] = value;
        }

        return new CommandLine(verb, settings);
    }

    /// <summary>The default data folder for this user.</summary>
    public static string DefaultDataDirectory()
    {
        if (Environment.UserName == "root" || (OperatingSystem.IsLinux() && Posix.IsRoot()))
        {
            return "/var/lib/hortd";
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(xdg is { Length: > 0 } ? xdg : Path.Combine(home, ".local", "share"), "hortd");
    }

    /// <summary>Builds and validates the options; a problem is a <see cref="HortException"/> listing all of them.</summary>
    public static HortdOptions Load(CommandLine commandLine, IDictionary<string, string?>? environment = null)
    {
        var fromEnvironment = new ConfigurationBuilder();
        if (environment is null) fromEnvironment.AddEnvironmentVariables(EnvironmentPrefix);
        else fromEnvironment.AddInMemoryCollection(environment);
        var environmentConfig = fromEnvironment.Build();

        var dataDirectory = commandLine.Settings.GetValueOrDefault(nameof(HortdOptions.DataDirectory))
            ?? environmentConfig[nameof(HortdOptions.DataDirectory)]
            ?? DefaultDataDirectory();
        dataDirectory = Path.GetFullPath(dataDirectory);

        var builder = new ConfigurationBuilder();
        var file = Path.Combine(dataDirectory, FileName);
        if (File.Exists(file))
        {
            builder.AddJsonFile(file, optional: true, reloadOnChange: false);
        }

        builder.AddConfiguration(environmentConfig);
        builder.AddInMemoryCollection(commandLine.Settings);
        var options = new HortdOptions();
        try
        {
            builder.Build().Bind(options, binder => binder.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            throw new HortException($"invalid configuration: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new HortException($"invalid configuration in {file}: {e.Message}", e);
        }

        options.DataDirectory = dataDirectory;
        var problems = options.Problems();
        return problems.Count == 0
            ? options
            : throw new HortException("invalid configuration: " + string.Join("; ", problems));
    }
}
