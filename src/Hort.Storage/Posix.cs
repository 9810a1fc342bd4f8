using System.Runtime.InteropServices;

namespace Hort.Storage;

/// <summary>The few libc calls .NET does not expose: flushing a directory entry to stable storage.</summary>
internal static partial class Posix
{
    private const int EINTR = 4;
    private const int EINVAL = 22;

    /// <summary>
    /// Flushes <paramref name="directory"/> so that entries created, renamed or removed in it survive a power loss.
    /// A rename is only durable once the directory holding it is synced; the file's own fsync does not cover it.
    /// </summary>
    public static void FsyncDirectory(string directory)
    {
        // Windows offers no way to open a directory for flushing; NTFS journals its metadata instead.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        int fd;
        do
        {
            fd = Open(directory, OpenFlags());
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EINTR);

        if (fd < 0)
        {
            throw ErrorFor("open directory", directory, Marshal.GetLastPInvokeError());
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();

                // Some file systems (and special mounts) cannot sync directories at all; there is nothing more to do.
                if (errno != EINVAL)
                {
                    throw ErrorFor("fsync directory", directory, errno);
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>The errno an <see cref="IOException"/> from a failed system call carries, or 0.</summary>
    public static int ErrnoOf(IOException exception) => exception.HResult & 0xFFFF;

    private static IOException ErrorFor(string operation, string path, int errno) =>
        new($"{operation} '{path}' failed: {Marshal.GetPInvokeErrorMessage(errno)}", errno);

    // O_RDONLY is 0 everywhere; O_DIRECTORY and O_CLOEXEC differ between kernels and architectures.
    private static int OpenFlags()
    {
        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD())
        {
            return OperatingSystem.IsMacOS() ? 0x100000 | 0x1000000 : 0x20000 | 0x100000;
        }

        var directory = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm
            ? 0x4000
            : 0x10000;
        return directory | 0x80000;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
