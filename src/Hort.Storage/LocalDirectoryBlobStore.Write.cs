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
        using var staged = BeginPut(name.Kind);
        staged.Write(content.Span);
        await staged.CommitAsync(name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Renames a complete, synced temporary file over <paramref name="name"/>'s file, creating its folder if needed, and
    /// syncs the folder. Cancellation is honoured up to the rename, the last point at which giving up leaves no trace.
    /// </summary>
    private void Publish(string temporary, BlobName name, CancellationToken cancellationToken)
    {
        var target = PathOf(name);
        var directory = Path.GetDirectoryName(target)!;
        EnsureDirectory(directory);
        cancellationToken.ThrowIfCancellationRequested();
        File.Move(temporary, target, overwrite: true);
        Posix.FsyncDirectory(directory);
    }

    /// <summary>
    /// Removes the temporary file of a put that failed (if it is still there) and says what the caller should see:
    /// <see cref="StorageFullException"/> for a full device, an error naming <paramref name="blob"/> when
    /// <paramref name="directory"/>, the folder it needed, could not be made, else <paramref name="e"/> itself.
    /// </summary>
    private Exception Failure(Exception e, string? temporary, string directory, string blob)
    {
        if (temporary is not null)
        {
            RemoveAbandoned(temporary, e);
        }

        if (e is IOException io && IsDiskFull(io))
        {
            return new StorageFullException(RootPath, e);
        }

        if (e is IOException and not DirectoryNotFoundException && !Directory.Exists(directory))
        {
            return new IOException($"{RootPath}: cannot store {blob}: the folder {directory} could not be created: {e.Message}", e);
        }

        return e;
    }

    /// <summary>True when <paramref name="exception"/> reports a full device or an exhausted quota.</summary>
    internal static bool IsDiskFull(IOException exception)
    {
        var code = Posix.ErrnoOf(exception);
        return OperatingSystem.IsWindows()
            ? code is WindowsDiskFull or WindowsHandleDiskFull
            : code is ENOSPC or EDQUOT;
    }

    private static string NewTemporaryPath(string directory) => Path.Combine(directory, TemporaryPrefix + Guid.NewGuid().ToString("N"));

    /// <summary>Creates a new, private temporary file for writing; the caller writes through its handle.</summary>
    private static FileStream CreateTemporary(string path)
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

        return new FileStream(path, options);
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

    private static void RemoveAbandoned(string temporary, Exception? cause)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The put's own failure is what the caller must see; a leftover .tmp- file is invisible to readers
            // and CleanTemporaryFiles removes it later.
            cause?.Data["Hort.AbandonedTemporaryFile"] = temporary;
        }
    }
}
