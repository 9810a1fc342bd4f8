using System.Security.Cryptography;

namespace Hort.Agent.Tests.EndToEnd;

/// <summary>A small folder of files to back up, and a byte-for-byte comparison with a restored copy.</summary>
internal static class SourceTree
{
    /// <summary>Files shared by every PC (deduplicated on the server), files of this PC only, a subfolder, an empty file and a link.</summary>
    public static string Create(string root, int pc, int ownBytes = 3 << 20)
    {
        Directory.CreateDirectory(Path.Combine(root, "docs", "letters"));
        File.WriteAllBytes(Path.Combine(root, "shared.bin"), Random(400_000, 1000));
        File.WriteAllBytes(Path.Combine(root, $"own-{pc}.bin"), Random(ownBytes, pc));
        for (var i = 0; i < 20; i++)
        {
            File.WriteAllText(Path.Combine(root, "docs", "letters", $"letter-{i}.txt"), $"Dear customer {i} of PC {pc},\n" + new string('x', i * 100));
        }

        File.WriteAllBytes(Path.Combine(root, "docs", "empty"), []);
        File.CreateSymbolicLink(Path.Combine(root, "docs", "link"), "letters/letter-1.txt");
        return root;
    }

    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Every file, folder and link below <paramref name="original"/> exists below <paramref name="restored"/> with the same bytes or target.</summary>
    public static void AssertSame(string original, string restored)
    {
        Assert.True(Directory.Exists(restored), $"{restored} was not restored");
        var expected = Listing(original);
        var actual = Listing(restored);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (path, what) in expected) Assert.True(what == actual[path], $"{path} differs after the restore");
    }

    private static Dictionary<string, string> Listing(string root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, entry.FullName);
            result[relative] = entry switch
            {
                _ when entry.LinkTarget is { } target => "link " + target,
                DirectoryInfo => "dir",
                _ => "file " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry.FullName))),
            };
        }

        return result;
    }

    /// <summary>SHA-256 of every file below <paramref name="root"/>, to show that a folder was not changed.</summary>
    public static SortedDictionary<string, string> Hashes(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            result[Path.GetRelativePath(root, file)] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));
        }

        return result;
    }
}
