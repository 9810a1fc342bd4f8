using System.Security.Cryptography;
using System.Text;
using Hort.Core;

namespace Hort.Server.Hosting;

/// <summary>The server's data folder (0700) and the secrets in it (0600 files).</summary>
public sealed class DataFolder
{
    public DataFolder(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
    }

    public string Path { get; }

    public string CertificateFile => System.IO.Path.Combine(Path, "server.pfx");

    public string RepositoryPasswordFile => System.IO.Path.Combine(Path, "repository.password");

    /// <summary>Creates the folder (and its parents) if needed; a new folder is readable only by its owner.</summary>
    public void Ensure()
    {
        if (Directory.Exists(Path)) return;
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("hortd runs on Linux");
        try
        {
            Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new HortException($"cannot create the data folder {Path}: {e.Message}", e);
        }
    }

    /// <summary>Writes a file only the owner may read, atomically (temporary file, fsync, rename).</summary>
    public static void WriteSecret(string file, ReadOnlySpan<byte> content)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("hortd runs on Linux");
        var temporary = file + ".tmp";
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>The repository password, generated (32 random bytes, base64url) and saved on first use.</summary>
    public string RepositoryPassword(out bool created)
    {
        created = false;
        if (File.Exists(RepositoryPasswordFile))
        {
            var text = File.ReadAllText(RepositoryPasswordFile).Trim();
            return text.Length > 0 ? text : throw new HortException($"{RepositoryPasswordFile} is empty; restore it from your records");
        }

        var password = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        WriteSecret(RepositoryPasswordFile, Encoding.UTF8.GetBytes(password + "\n"));
        created = true;
        return password;
    }
}
