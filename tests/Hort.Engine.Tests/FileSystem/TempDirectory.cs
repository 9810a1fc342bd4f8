using System.Text;

namespace Hort.Engine.Tests.FileSystem;

/// <summary>A fresh directory per test, removed with everything in it (any names, any depth) afterwards.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = Encoding.UTF8.GetBytes(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hort-fs-" + Guid.NewGuid().ToString("N")));
        Syscalls.MakeDirectory(Path, 0x1C0);
    }

    public byte[] Path { get; }

    public string Text => Encoding.UTF8.GetString(Path);

    /// <summary>The path of <paramref name="relative"/> (UTF-8) below this directory.</summary>
    public byte[] Sub(string relative) => Sub(Encoding.UTF8.GetBytes(relative));

    public byte[] Sub(byte[] relative) => [.. Path, (byte)'/', .. relative];

    public void Dispose() => Syscalls.RemoveTree(Path);
}
