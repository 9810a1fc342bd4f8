namespace Hort.Cli.Tests.Support;

/// <summary>Files of seeded random (incompressible, never deduplicated by accident) content.</summary>
internal static class RandomFiles
{
    /// <summary>
    /// Writes <paramref name="length"/> random bytes to <paramref name="path"/> through a temporary file and a
    /// rename, so a rewritten file gets a new inode and can never look unchanged to the backup.
    /// </summary>
    public static void Write(string path, int length, Random random)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var buffer = new byte[Math.Min(length, 1 << 20)];
        var temporary = path + ".writing";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            for (var left = length; left > 0; left -= buffer.Length)
            {
                var part = buffer.AsSpan(0, Math.Min(left, buffer.Length));
                random.NextBytes(part);
                stream.Write(part);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Writes a small tree of the kinds of entries a backup must keep: nested folders, empty and large files, a symlink.</summary>
    public static void WriteSampleTree(string root, Random random)
    {
        Write(Path.Combine(root, "big.bin"), 3 << 20, random);
        Write(Path.Combine(root, "empty"), 0, random);
        File.WriteAllText(Path.Combine(root, "notes.txt"), "keep this\n");
        File.WriteAllText(Path.Combine(root, "grüße.txt"), "umlauts in the name\n");
        Write(Path.Combine(root, "docs", "2024", "report.odt"), 70_000, random);
        Write(Path.Combine(root, "docs", "2024", "invoice.pdf"), 9_000, random);
        Write(Path.Combine(root, "docs", "private.key"), 300, random);
        File.SetUnixFileMode(Path.Combine(root, "docs", "private.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Directory.CreateDirectory(Path.Combine(root, "empty-dir"));
        File.CreateSymbolicLink(Path.Combine(root, "latest-report"), "docs/2024/report.odt");
    }
}
