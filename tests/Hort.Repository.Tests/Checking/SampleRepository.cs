using Hort.Core;
using Hort.Repository.Format;
using Hort.Repository.Snapshots;
using Hort.Repository.Tests.RepositoryApi;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Repository.Tests.Checking;

/// <summary>One snapshot of the sample: its ID and, per display path, the data blobs of each file and the tree of each directory.</summary>
internal sealed record SampleSnapshot(ObjectId Id, string Hostname, IReadOnlyDictionary<string, IReadOnlyList<ObjectId>> Files, IReadOnlyDictionary<string, ObjectId> Directories)
{
    public string Label => $"snapshot {Id.ToShortString()}";
}

/// <summary>
/// A repository with three snapshots whose trees are built by hand, laid out so that damage is easy to place:
/// data packs hold blobs of several files (α: A1 A2 N, β: P1 P2 H, γ: A3 B, δ: D E), and each snapshot's new trees
/// sit in a pack of their own. Records which paths use which blob, so tests can predict exactly what a check must name.
/// </summary>
internal sealed class SampleRepository
{
    /// <summary>The display form of the one non-UTF-8 name ("caf" + 0xE9 + ".txt").</summary>
    public const string LatinName = "caf\\xe9.txt";

    private static readonly byte[] LatinNameBytes = [(byte)'c', (byte)'a', (byte)'f', 0xe9, (byte)'.', (byte)'t', (byte)'x', (byte)'t'];

    private SampleRepository(IBlobStore store, Dictionary<string, ObjectId> chunks, Dictionary<string, byte[]> plaintexts, List<SampleSnapshot> snapshots, Dictionary<string, ObjectId> packs)
    {
        Store = store;
        Chunks = chunks;
        Plaintexts = plaintexts;
        Snapshots = snapshots;
        DataPacks = packs;
    }

    public IBlobStore Store { get; }

    /// <summary>Chunk name (A1, N, …) → blob ID.</summary>
    public IReadOnlyDictionary<string, ObjectId> Chunks { get; }

    /// <summary>Chunk name → plaintext.</summary>
    public IReadOnlyDictionary<string, byte[]> Plaintexts { get; }

    public IReadOnlyList<SampleSnapshot> Snapshots { get; }

    /// <summary>Data pack name (α, β, γ, δ) → pack ID.</summary>
    public IReadOnlyDictionary<string, ObjectId> DataPacks { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<SampleRepository> CreateAsync(IBlobStore store)
    {
        using var repository = await TestRepository.InitAsync(store);
        var plaintexts = new Dictionary<string, byte[]>();
        var chunks = new Dictionary<string, ObjectId>();
        var seed = 1;
        foreach (var name in new[] { "A1", "A2", "A3", "N", "P1", "P2", "H", "B", "D", "E" })
        {
            var bytes = TestRepository.RandomBytes(600 + (seed * 211 % 2500), seed);
            if (seed % 2 == 0)
            {
                // Half the chunks compress, so both stored forms are covered.
                for (var i = 0; i < bytes.Length; i++) bytes[i] &= 0x07;
            }

            seed++;
            plaintexts[name] = bytes;
            chunks[name] = repository.ComputeId(bytes);
        }

        using var writer = new BlobWriter(repository);
        var packs = new Dictionary<string, ObjectId>();
        foreach (var (pack, members) in new[] { ("α", "A1 A2 N"), ("β", "P1 P2 H"), ("γ", "A3 B"), ("δ", "D E") })
        {
            foreach (var chunk in members.Split(' '))
            {
                Assert.True(await writer.SaveAsync(BlobType.Data, chunks[chunk], plaintexts[chunk], Ct));
            }

            await writer.FlushAsync(Ct);
            repository.Index.TryGet(chunks[members[..2].Trim()], out var location);
            packs[pack] = location.PackId;
        }

        IReadOnlyList<ObjectId> Ids(string names) => names.Length == 0 ? [] : names.Split(' ').Select(n => chunks[n]).ToArray();

        var firstFiles = new Dictionary<string, IReadOnlyList<ObjectId>>
        {
            ["/home/anna/report.docx"] = Ids("A1 A2"),
            ["/home/anna/notes.txt"] = Ids("N"),
            ["/home/anna/" + LatinName] = Ids("E"),
            ["/home/anna/empty"] = Ids(""),
            ["/home/bob/photo.jpg"] = Ids("P1 P2"),
            ["/home/bob/copy-of-notes.txt"] = Ids("N"),
            ["/etc/hosts"] = Ids("H"),
        };
        var secondFiles = new Dictionary<string, IReadOnlyList<ObjectId>>(firstFiles)
        {
            ["/home/anna/report.docx"] = Ids("A1 A3"),
            ["/home/bob/new.bin"] = Ids("B"),
        };
        var thirdFiles = new Dictionary<string, IReadOnlyList<ObjectId>>
        {
            ["/srv/data.bin"] = Ids("D N"),
            ["/srv/sub/deep/file"] = Ids("A2"),
        };

        var snapshots = new List<SampleSnapshot>();
        var day = 1;
        foreach (var (files, host) in new[] { (firstFiles, "office-pc"), (secondFiles, "office-pc"), (thirdFiles, "server") })
        {
            var directories = new Dictionary<string, ObjectId>();
            var root = await SaveDirectoryAsync(writer, "", files, directories, chunks, plaintexts);
            await writer.FlushAsync(Ct);
            var snapshot = new Snapshot
            {
                Time = new DateTimeOffset(2024, 1, day++, 18, 0, 0, TimeSpan.Zero),
                Tree = root,
                Paths = files.Keys.Select(p => "/" + p.Split('/')[1]).Distinct().ToArray(),
                Hostname = host,
                Username = "root",
                Program = "hort tests",
            };
            var id = await repository.SaveSnapshotAsync(snapshot, Ct);
            snapshots.Add(new SampleSnapshot(id, host, files, directories));
        }

        return new SampleRepository(store, chunks, plaintexts, snapshots, packs);
    }

    /// <summary>The Affected lines a check must give when exactly <paramref name="damaged"/> data blobs are lost.</summary>
    public List<string> AffectedByData(params ObjectId[] damaged) =>
        Snapshots
            .SelectMany(s => s.Files.Where(f => f.Value.Any(damaged.Contains)).Select(f => $"{s.Label}: {f.Key}"))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Builds and saves the tree of the directory at <paramref name="path"/> (display form, "" for the root).</summary>
    private static async Task<ObjectId> SaveDirectoryAsync(
        BlobWriter writer, string path, Dictionary<string, IReadOnlyList<ObjectId>> files, Dictionary<string, ObjectId> directories,
        Dictionary<string, ObjectId> chunks, Dictionary<string, byte[]> plaintexts)
    {
        var prefix = path + "/";
        var nodes = new List<TreeNode>();
        var time = new Timestamp(1_700_000_000, 123_456_789);
        foreach (var childName in files.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal))
                     .Select(p => p[prefix.Length..].Split('/')[0]).Distinct())
        {
            var childPath = prefix + childName;
            var nameBytes = childName == LatinName ? LatinNameBytes : NameText.FromText(childName);
            if (files.TryGetValue(childPath, out var content))
            {
                var size = content.Sum(id => (long)plaintexts[chunks.Single(c => c.Value == id).Key].Length);
                nodes.Add(new TreeNode { Name = nameBytes, Type = NodeType.File, Mode = Convert.ToUInt32("644", 8), Size = (ulong)size, Content = content, ModifyTime = time, LinkCount = 1 });
            }
            else
            {
                var subtree = await SaveDirectoryAsync(writer, childPath, files, directories, chunks, plaintexts);
                nodes.Add(new TreeNode { Name = nameBytes, Type = NodeType.Directory, Mode = Convert.ToUInt32("755", 8), Subtree = subtree, ModifyTime = time, LinkCount = 2 });
            }
        }

        if (path == "/home/anna")
        {
            nodes.Add(new TreeNode { Name = "link"u8.ToArray(), Type = NodeType.Symlink, Mode = Convert.ToUInt32("777", 8), LinkTarget = "notes.txt"u8.ToArray(), LinkCount = 1 });
        }

        var tree = await writer.SaveTreeAsync(new Tree(nodes), Ct);
        directories[path.Length == 0 ? "/" : path] = tree;
        return tree;
    }
}
