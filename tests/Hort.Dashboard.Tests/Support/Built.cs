using System.Reflection;
using Hort.Agent.Tests.EndToEnd;

namespace Hort.Dashboard.Tests.Support;

/// <summary>Where the built programs under test and the test artefacts are, found from the repository's root.</summary>
internal static class Built
{
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The configuration this test assembly was built in; hortd and hort are used from the same one.</summary>
    private static string Configuration { get; } = typeof(Built).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Configuration").Value!;

    public static string Hortd => Program("src/Hort.Server", "hortd.dll");

    public static string Hort => ChildProcess.Hort(Program("src/Hort.Cli", "hort.dll"));

    /// <summary>artifacts/screenshots/ below the repository's root (git-ignored); created on first use.</summary>
    public static string Screenshots => Directory.CreateDirectory(Path.Combine(RepositoryRoot, "artifacts", "screenshots")).FullName;

    private static string Program(string project, string name)
    {
        var path = Path.Combine(RepositoryRoot, project, "bin", Configuration, "net10.0", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is not built", path);
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Hort.slnx"))) return folder.FullName;
        }

        throw new DirectoryNotFoundException($"no Hort.slnx above {AppContext.BaseDirectory}");
    }
}
