using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Hort.Cli.Tests.Support;

/// <summary>
/// A repository made by the real <c>hort init</c> in a temp directory, with a runner whose environment points
/// <c>HORT_REPOSITORY</c> and <c>HORT_PASSWORD</c> at it. Everything lives under <see cref="Dir"/> and goes on dispose.
/// </summary>
internal sealed class CliRepository : IDisposable
{
    public const string Password = "correct horse battery staple";

    private CliRepository(TempDirectory dir)
    {
        Dir = dir;
        Hort = new HortProcess(new Dictionary<string, string?>
        {
            ["HORT_REPOSITORY"] = RepositoryPath,
            ["HORT_PASSWORD"] = Password,
            ["XDG_CACHE_HOME"] = Dir.Sub("cache"),
        });
    }

    public TempDirectory Dir { get; }

    public string RepositoryPath => Dir.Sub("repo");

    /// <summary>Runs hort against this repository with the right password.</summary>
    public HortProcess Hort { get; }

    /// <summary>Makes a temp directory and runs <c>hort init</c> in its <c>repo</c> folder.</summary>
    public static async Task<CliRepository> CreateAsync(string label)
    {
        var repo = new CliRepository(new TempDirectory(label));
        try
        {
            var init = await repo.Hort.RunAsync("init");
            Assert.True(init.ExitCode == 0, init.ToString());
            return repo;
        }
        catch
        {
            repo.Dispose();
            throw;
        }
    }

    public Task<HortResult> RunAsync(params string[] args) => Hort.RunAsync(args);

    /// <summary>Runs a command that must succeed (exit 0) and returns its output.</summary>
    public async Task<HortResult> RunOkAsync(params string[] args)
    {
        var result = await Hort.RunAsync(args);
        Assert.True(result.ExitCode == 0, $"hort {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>Backs up <paramref name="paths"/> with --quiet and returns the snapshot ID it printed.</summary>
    public async Task<string> BackupAsync(params string[] paths)
    {
        var result = await RunOkAsync(["backup", "--quiet", .. paths]);
        return Assert.Single(result.PrintedIds());
    }

    /// <summary>Backs up with --json and returns the summary document (the last JSON line printed).</summary>
    public async Task<JsonElement> BackupJsonAsync(params string[] paths)
    {
        var result = await RunOkAsync(["backup", "--json", .. paths]);
        return LastJsonLine(result.Stdout);
    }

    /// <summary>The full IDs of all snapshots, from <c>hort snapshots --json</c>.</summary>
    public async Task<IReadOnlyList<string>> SnapshotIdsAsync()
    {
        var result = await RunOkAsync("snapshots", "--json");
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement.EnumerateArray().Select(s => s.GetProperty("id").GetString()!).ToList();
    }

    /// <summary>The snapshot IDs as file names in <c>snapshots/</c> (cheaper than running hort; in-flight files left out).</summary>
    public IReadOnlyList<string> SnapshotFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryPath, "snapshots"))
            .Select(Path.GetFileName)
            .Where(name => !name!.StartsWith('.'))
            .ToList()!;

    /// <summary>Restores a snapshot into a new folder and returns the folder.</summary>
    public async Task<string> RestoreAsync(string snapshot, string target)
    {
        await RunOkAsync("restore", snapshot, "--target", target);
        return target;
    }

    /// <summary>A digest of every file and directory in the repository, to prove a command changed nothing.</summary>
    public string Fingerprint()
    {
        var text = new StringBuilder();
        foreach (var (path, value) in TreeManifest.Of(RepositoryPath).Entries)
        {
            text.Append(path).Append('\t').Append(value).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Pack files (relative paths under data/) and their sizes; in-flight temporary files are left out.</summary>
    public IReadOnlyDictionary<string, long> Packs()
    {
        var data = Path.Combine(RepositoryPath, "data");
        return Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            .ToDictionary(f => Path.GetRelativePath(data, f), f => new FileInfo(f).Length);
    }

    /// <summary>The last line of <paramref name="stdout"/> that is a JSON object, parsed.</summary>
    public static JsonElement LastJsonLine(string stdout)
    {
        var line = stdout.TrimEnd('\n').Split('\n').Last(l => l.StartsWith('{'));
        using var doc = JsonDocument.Parse(line);
        return doc.RootElement.Clone();
    }

    public void Dispose() => Dir.Dispose();
}
