using System.Diagnostics;

namespace Hort.Cli.Tests.Support;

/// <summary>
/// Runs hort (hort.dll under dotnet, or the native build) as a real child process with its own environment, standard
/// input closed so it can never wait for a password prompt, and both output streams captured.
/// </summary>
internal sealed class HortProcess
{
    /// <summary>Longest a single hort command may take before the test gives up on it.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    private readonly Dictionary<string, string?> _environment;

    public HortProcess(IReadOnlyDictionary<string, string?>? environment = null)
    {
        _environment = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>());
    }

    /// <summary>The hort program built with the test project (<c>hort.dll</c>, copied beside the test binaries).</summary>
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "hort.dll");

    /// <summary>
    /// The native hort that <c>HORT_TEST_PROGRAM</c> names, if set: scripts/test.sh publishes hort as it ships (Native
    /// AOT) and runs these tests against it. Otherwise the tests run <see cref="DllPath"/> under dotnet.
    /// </summary>
    public static string? NativeProgram => Environment.GetEnvironmentVariable("HORT_TEST_PROGRAM") is { Length: > 0 } native ? native : null;

    /// <summary>A copy of this runner with one more (or one changed) environment variable; null removes it.</summary>
    public HortProcess With(string name, string? value)
    {
        var copy = new HortProcess(_environment);
        copy._environment[name] = value;
        return copy;
    }

    /// <summary>Runs hort to completion.</summary>
    public async Task<HortResult> RunAsync(params string[] args)
    {
        await using var running = Start(args);
        return await running.WaitAsync(DefaultTimeout).ConfigureAwait(false);
    }

    /// <summary>Starts hort and returns at once; the caller waits for or kills it.</summary>
    public RunningHort Start(params string[] args)
    {
        var native = NativeProgram;
        var info = new ProcessStartInfo(native ?? DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (native is null)
        {
            info.ArgumentList.Add(DllPath);
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // Only what the test sets may reach hort: a developer's own HORT_* variables must not leak in.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("HORT_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["TERM"] = "dumb";
        foreach (var (name, value) in _environment)
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + info.FileName);
        process.StandardInput.Close();
        return new RunningHort(process);
    }

    /// <summary>The same dotnet host that runs the tests (the SDK sets DOTNET_HOST_PATH for its children).</summary>
    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
