using Hort.Core;
using Hort.Engine.Backup;
using Hort.Engine.Restore;
using Hort.Repository;
using Hort.Repository.Format;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Engine.Tests.Repair;

/// <summary>
/// A repository with three snapshots of a changing source tree, small chunks and the smallest packs (so that the data
/// spreads over many packs), plus what each snapshot must restore to: the content of every file at backup time, and
/// every tree, so that tests can predict what survives the loss of any set of packs.
/// </summary>
internal sealed class DamageScenario : IDisposable
{
    public const string Password = "pw";

    private DamageScenario(Support.ScratchDirectory scratch, InMemoryBlobStore store)
    {
        Scratch = scratch;
        Store = store;
    }

    public Support.ScratchDirectory Scratch { get; }

    public InMemoryBlobStore Store { get; }

    public string Source => Scratch.SubText("src");

    /// <summary>Every snapshot, oldest first, with the bytes each of its files held at backup time (by display path).</summary>
    public List<(StoredSnapshot Snapshot, Dictionary<string, byte[]> Files)> Snapshots { get; } = [];

    /// <summary>Every tree of every snapshot, loaded while all data was intact.</summary>
    public Dictionary<ObjectId, Tree> Trees { get; } = [];

    /// <summary>Blob → the pack that holds it (one writer, so one copy each).</summary>
    public Dictionary<ObjectId, ObjectId> PackOf { get; } = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<DamageScenario> CreateAsync(int seed)
    {
        var scenario = new DamageScenario(new Support.ScratchDirectory(), new InMemoryBlobStore());
        try
        {
            await scenario.BuildAsync(new Random(seed));
            return scenario;
        }
        catch
        {
            scenario.Dispose();
            throw;
        }
    }

    public async Task<HortRepository> OpenAsync()
    {
        var repository = await HortRepository.OpenAsync(Store, Password, cancellationToken: Ct);
        await repository.LoadIndexAsync(Ct);
        return repository;
    }

    /// <summary>A positive count from an environment variable (for the long runs), else <paramref name="fallback"/>.</summary>
    public static int CountFromEnvironment(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0 ? n : fallback;

    /// <summary>Opens without loading the index, as repair and check do.</summary>
    public static Task<HortRepository> OpenRepositoryWithoutIndexAsync(IBlobStore store) =>
        HortRepository.OpenAsync(store, Password, cancellationToken: Ct);

    /// <summary>Backs up the source with the latest snapshot as parent.</summary>
    public async Task<BackupResult> BackupAsync(HortRepository repository)
    {
        var parent = Snapshots.Count == 0 ? null : Snapshots[^1].Snapshot;
        return await new Archiver(repository, new BackupOptions { Paths = [Source], Parent = parent, Hostname = "pc" }).RunAsync(Ct);
    }

    /// <summary>The source tree as it is now: display path → bytes.</summary>
    public Dictionary<string, byte[]> CurrentFiles() =>
        Directory.EnumerateFiles(Source, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes, StringComparer.Ordinal);

    /// <summary>Restores a snapshot into a fresh folder; returns the folder and the issues, or null issues when restore failed as a whole.</summary>
    public async Task<(string Target, IReadOnlyList<RestoreIssue>? Issues)> RestoreAsync(HortRepository repository, StoredSnapshot snapshot)
    {
        var target = Scratch.SubText("restore-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var result = await new Restorer(repository, new RestoreOptions { Target = target }).RunAsync(snapshot, Ct);
            return (target, result.Issues);
        }
        catch (HortException)
        {
            return (target, null);
        }
    }

    /// <summary>
    /// Asserts that no file of <paramref name="expected"/> was restored with wrong bytes without being named: each one is
    /// either byte-identical, or absent, or named by an issue (or the restore failed as a whole). Returns the paths
    /// that came back byte-identical.
    /// </summary>
    public static HashSet<string> AssertNothingSilentlyWrong(string target, Dictionary<string, byte[]> expected, IReadOnlyList<RestoreIssue>? issues, string context)
    {
        var intact = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, bytes) in expected)
        {
            var restored = target + path;
            if (!File.Exists(restored))
            {
                continue;
            }

            if (File.ReadAllBytes(restored).AsSpan().SequenceEqual(bytes))
            {
                intact.Add(path);
                continue;
            }

            Assert.True(issues is null || issues.Any(i => i.Path == path || path.StartsWith(i.Path + "/", StringComparison.Ordinal)),
                $"{context}: {path} was restored with wrong bytes and nothing said so");
        }

        return intact;
    }

    /// <summary>
    /// What a repair must record for each snapshot when only <paramref name="available"/> blobs remain: the paths of
    /// files that lack a chunk, and "dir (directory listing lost)" for the topmost lost tree on each way down.
    /// </summary>
    public Dictionary<ObjectId, List<string>> ExpectedMarks(IReadOnlySet<ObjectId> available)
    {
        var marks = new Dictionary<ObjectId, List<string>>();
        foreach (var (snapshot, _) in Snapshots)
        {
            var paths = new List<string>();
            Expect(snapshot.Snapshot.Tree, "", available, paths);
            if (paths.Count > 0)
            {
                marks[snapshot.Id] = paths;
            }
        }

        return marks;
    }

    /// <summary>Display paths of the files of one snapshot that depend on no unavailable blob.</summary>
    public HashSet<string> Restorable(StoredSnapshot snapshot, IReadOnlySet<ObjectId> available)
    {
        var lost = new List<string>();
        Expect(snapshot.Snapshot.Tree, "", available, lost);
        var files = Snapshots.Single(s => s.Snapshot.Id == snapshot.Id).Files.Keys;
        return files.Where(f => !lost.Any(l => f == l || (l.EndsWith(" (directory listing lost)", StringComparison.Ordinal) && IsBelow(f, l[..^" (directory listing lost)".Length]))))
            .ToHashSet(StringComparer.Ordinal);
    }

    private static bool IsBelow(string path, string directory) => directory == "/" || path.StartsWith(directory + "/", StringComparison.Ordinal);

    private void Expect(ObjectId treeId, string path, IReadOnlySet<ObjectId> available, List<string> paths)
    {
        if (!available.Contains(treeId))
        {
            paths.Add((path.Length == 0 ? "/" : path) + " (directory listing lost)");
            return;
        }

        foreach (var node in Trees[treeId].Nodes)
        {
            var child = path + "/" + node.DisplayName;
            if (node.Type == NodeType.Directory)
            {
                Expect(node.Subtree, child, available, paths);
            }
            else if (node.Content.Any(c => !available.Contains(c)))
            {
                paths.Add(child);
            }
        }
    }

    private async Task BuildAsync(Random random)
    {
        Directory.CreateDirectory(Source);
        void Write(string relative, int length)
        {
            var path = Path.Combine(Source, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var bytes = new byte[length];
            random.NextBytes(bytes);
            if (random.Next(3) == 0)
            {
                for (var i = 0; i < bytes.Length; i++) bytes[i] &= 0x0f; // some compress
            }

            File.WriteAllBytes(path, bytes);
        }

        using var repository = await HortRepository.InitAsync(Store, Password, new RepositoryInitOptions
        {
            KeyCost = new KeyDerivationCost(1, 8 * 1024 * 1024),
            Chunker = Support.TestRepository.SmallChunks,
            PackSize = RepositoryConfig.MinPackSize,
        }, cancellationToken: Ct);

        for (var i = 0; i < 8; i++)
        {
            Write($"docs/file{i}.bin", random.Next(0, 90_000));
        }

        Write("photos/2024/a.jpg", 150_000);
        Write("photos/2024/b.jpg", 70_000);
        Write("notes.txt", 2_000);
        Directory.CreateDirectory(Path.Combine(Source, "empty"));
        File.Copy(Path.Combine(Source, "notes.txt"), Path.Combine(Source, "docs", "notes-copy.txt"));
        await AddSnapshotAsync(repository);

        Write("docs/file3.bin", 60_000);
        Write("photos/2025/c.jpg", 120_000);
        File.Delete(Path.Combine(Source, "docs", "file5.bin"));
        await AddSnapshotAsync(repository);

        Write("mail/inbox.mbox", 100_000);
        Write("docs/file0.bin", 30_000);
        await AddSnapshotAsync(repository);

        foreach (var blob in repository.Index.Blobs())
        {
            PackOf[blob.Entry.Id] = blob.PackId;
        }
    }

    private async Task AddSnapshotAsync(HortRepository repository)
    {
        var result = await BackupAsync(repository);
        Assert.Empty(result.Issues);
        var stored = new StoredSnapshot(result.SnapshotId, result.Snapshot);
        Snapshots.Add((stored, CurrentFiles()));
        var stack = new Stack<ObjectId>([result.Snapshot.Tree]);
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (Trees.ContainsKey(id))
            {
                continue;
            }

            var tree = await repository.LoadTreeAsync(id, Ct);
            Trees[id] = tree;
            foreach (var node in tree.Nodes.Where(n => n.Type == NodeType.Directory))
            {
                stack.Push(node.Subtree);
            }
        }
    }

    public void Dispose() => Scratch.Dispose();
}
