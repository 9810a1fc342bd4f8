using System.Runtime.InteropServices;

namespace Hort.Engine.FileSystem;

/// <summary>A system call on a file failed; the message reads "&lt;operation&gt; &lt;path&gt;: &lt;strerror(errno)&gt;".</summary>
public sealed class PosixException : IOException
{
    public PosixException(string operation, string path, int errno)
        : base($"{operation} {path}: {Marshal.GetPInvokeErrorMessage(errno)}")
    {
        Operation = operation;
        Path = path;
        Errno = errno;
    }

    /// <summary>What was attempted, e.g. "lstat" or "create file".</summary>
    public string Operation { get; }

    /// <summary>The path as shown to a user (see <see cref="PosixFileSystem.Display"/>).</summary>
    public string Path { get; }

    /// <summary>The <c>errno</c> the call failed with.</summary>
    public int Errno { get; }

    internal static PosixException Last(string operation, ReadOnlySpan<byte> path) =>
        new(operation, PosixFileSystem.Display(path), Marshal.GetLastPInvokeError());
}
