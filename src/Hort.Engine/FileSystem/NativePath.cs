namespace Hort.Engine.FileSystem;

/// <summary>Turns byte paths into the NUL-terminated strings the kernel reads, without touching their bytes.</summary>
internal static class NativePath
{
    /// <summary>Paths up to this length go through a caller's stack buffer; longer ones allocate.</summary>
    internal const int StackBufferSize = 512;

    /// <summary>Copies <paramref name="path"/> and a terminating NUL into <paramref name="scratch"/> (or a new array if it is too small).</summary>
    internal static ReadOnlySpan<byte> Terminate(ReadOnlySpan<byte> path, Span<byte> scratch)
    {
        if (path.Contains((byte)0))
        {
            throw new ArgumentException($"The path {PosixFileSystem.Display(path)} contains a NUL byte.", nameof(path));
        }
        Span<byte> target = path.Length < scratch.Length ? scratch : new byte[path.Length + 1];
        path.CopyTo(target);
        target[path.Length] = 0;
        return target[..(path.Length + 1)];
    }
}
