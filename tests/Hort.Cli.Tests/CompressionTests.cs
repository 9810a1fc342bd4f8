using System.Text;
using Hort.Cli.Tests.Support;

namespace Hort.Cli.Tests;

/// <summary><c>hort backup --compression</c>: each mode stores the same files at its own size, and all come back intact.</summary>
public sealed class CompressionTests
{
    [Fact]
    public async Task Each_mode_stores_the_same_files_at_its_own_size_and_every_one_restores_intact()
    {
        var stored = new Dictionary<string, long>();
        var blobs = new HashSet<long>();
        long raw = 0;
        foreach (var mode in new[] { "off", "fast", "auto", "max" })
        {
            using var repo = await CliRepository.CreateAsync("compression-" + mode);
            var src = repo.Dir.Sub("src");
            WriteMixedTree(src);

            var result = await repo.RunOkAsync("backup", "--json", "--compression", mode, src);
            var summary = CliRepository.LastJsonLine(result.Stdout);
            blobs.Add(summary.GetProperty("data_blobs_added").GetInt64());
            raw = summary.GetProperty("data_added").GetInt64();
            stored[mode] = summary.GetProperty("data_added_stored").GetInt64();

            await repo.RunOkAsync("check", "--read-data");
            var target = await repo.RestoreAsync("latest", repo.Dir.Sub("restored"));
            var expected = TreeManifest.Of(src);
            var actual = TreeManifest.Of(Path.Join(target, src));
            Assert.True(expected.Equals(actual), mode + ": " + expected.DifferencesFrom(actual));
        }

        // The same blobs in every repository (the trees differ by the folder's name only); how they are stored differs.
        Assert.Single(blobs);
        Assert.True(stored["off"] >= raw, $"off stored {stored["off"]} of {raw} bytes: something was compressed");
        Assert.True(stored["auto"] < raw * 3 / 4, $"auto stored {stored["auto"]} of {raw} bytes");
        Assert.True(stored["fast"] > stored["auto"], $"fast {stored["fast"]}, auto {stored["auto"]}");
        Assert.True(stored["max"] < stored["auto"], $"max {stored["max"]}, auto {stored["auto"]}");
    }

    [Fact]
    public async Task An_unknown_mode_is_refused_before_anything_is_written()
    {
        using var repo = await CliRepository.CreateAsync("compression-unknown");
        var src = repo.Dir.Sub("src");
        WriteMixedTree(src);
        var before = repo.Fingerprint();

        var result = await repo.RunAsync("backup", "--compression", "zip", src);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'zip'", result.Stderr);
        Assert.Contains("'auto'", result.Stderr);
        Assert.Equal(before, repo.Fingerprint());
        Assert.Empty(await repo.SnapshotIdsAsync());
    }

    /// <summary>Text that compresses (words drawn from a small vocabulary, seeded) and a random file that does not.</summary>
    private static void WriteMixedTree(string root)
    {
        var random = new Random(7);
        string[] words = ["invoice", "customer", "total", "amount", "due", "paid", "order", "delivery", "address", "date",
            "quantity", "price", "tax", "net", "gross", "discount", "account", "reference", "item", "note"];
        for (var file = 0; file < 6; file++)
        {
            var text = new StringBuilder();
            while (text.Length < 200_000)
            {
                text.Append(words[random.Next(words.Length)]).Append(random.Next(10) == 0 ? ";\n" : ' ');
                if (random.Next(8) == 0)
                {
                    text.Append(random.Next(100_000)).Append(' ');
                }
            }

            var path = Path.Combine(root, "letters", $"letter-{file}.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text.ToString());
        }

        RandomFiles.Write(Path.Combine(root, "photo.jpg"), 600_000, random);
    }
}
