using Hort.Core;

namespace Hort.Storage;

public sealed partial class LocalDirectoryBlobStore
{
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;
    private const int WindowsDiskFull = 0x70;
    private const int WindowsHandleDiskFull = 0x27;

    /// <inheritdoc />
    public async Task PutAsync(BlobName name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = PathOf(name);
        var directory = Path.GetDirectoryName(target)!;
        string? temporary = null;
        try
        {
            EnsureDirectory(directory);
            temporary = Path.Combine(directory, TemporaryPrefix + Guid.NewGuid().ToString("N"));
            await WriteDurablyAsync(temporary, content, cancellationToken).ConfigureAwait(false);

            // The last point at which giving up leaves no trace; after the rename the blob is stored.
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporary, target, overwrite: true);
            temporary = null;
            Posix.FsyncDirectory(directory);
        }
        catch (Exception e) when (temporary is not null)
        {
            RemoveAbandoned(temporary, e);
            if (e is IOException io && IsDiskFull(io))
            {
                throw new StorageFullException(RootPath, e);
            }

            throw;
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            throw new StorageFullException(RootPath, e);
        }
        catch (IOException e) when (e is not DirectoryNotFoundException && !Directory.Exists(directory))
        {
            throw new IOException($"{RootPath}: cannot store {name}: the folder {directory} could not be created: {e.Message}", e);
        }
    }

    /// <summary>True when <paramref name="exception"/> reports a full device or an exhausted quota.</summary>
    internal static bool IsDiskFull(IOException exception)
    {
        var code = Posix.ErrnoOf(exception);
        return OperatingSystem.IsWindows()
            ? code is WindowsDiskFull or WindowsHandleDiskFull
            : code is ENOSPC or EDQUOT;
    }

    private static async Task WriteDurablyAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,

            // No PreallocationSize: .NET reports a failed preallocation without its errno, which would hide ENOSPC.
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode0600;
        }

        var file = new FileStream(path, options);
        await using (file.ConfigureAwait(false))
        {
            await RandomAccess.WriteAsync(file.SafeFileHandle, content, 0, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
    }

    /// <summary>Creates <paramref name="directory"/> and any missing parents inside the root, each made durable.</summary>
    private void EnsureDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }

        if (string.Equals(directory, RootPath, StringComparison.Ordinal))
        {
            // Creating the root here would turn a mistyped repository path into a new, empty repository.
            throw new RepositoryNotFoundException($"there is no repository at {RootPath}: the directory does not exist");
        }

        var parent = Path.GetDirectoryName(directory)!;
        EnsureDirectory(parent);
        CreateDirectory(directory);
        Posix.FsyncDirectory(parent);
    }

    private static void RemoveAbandoned(string temporary, Exception cause)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The put's own failure is what the caller must see; a leftover .tmp- file is invisible to readers
            // and CleanTemporaryFiles removes it later.
            cause.Data["Hort.AbandonedTemporaryFile"] = temporary;
        }
    }
}
