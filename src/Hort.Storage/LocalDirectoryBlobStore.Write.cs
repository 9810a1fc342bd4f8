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
        var stored = await StageAsync(name, content, cancellationToken).ConfigureAwait(false);
        await stored.ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="content"/> to a new <c>.tmp-</c> file beside the target and completes; the returned
    /// task then fsyncs it, renames it over the final name and fsyncs the folder on the thread pool.
    /// </summary>
    public async Task<Task> StageAsync(BlobName name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var target = PathOf(name);
        var directory = Path.GetDirectoryName(target)!;
        string? temporary = null;
        FileStream? file = null;
        try
        {
            EnsureDirectory(directory);
            temporary = Path.Combine(directory, TemporaryPrefix + Guid.NewGuid().ToString("N"));
            file = CreateTemporary(temporary);
            await RandomAccess.WriteAsync(file.SafeFileHandle, content, 0, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }

            if (Translate(e, name, temporary, directory) is { } translated)
            {
                throw translated;
            }

            throw;
        }

        var staged = file;
        var path = temporary;
        return Task.Run(() => CommitAsync(name, staged, path, target, directory, cancellationToken), CancellationToken.None);
    }

    /// <summary>The second step of a put: the staged file made durable and given its name.</summary>
    private async Task CommitAsync(BlobName name, FileStream file, string temporary, string target, string directory, CancellationToken cancellationToken)
    {
        string? leftover = temporary;
        try
        {
            await using (file.ConfigureAwait(false))
            {
                file.Flush(flushToDisk: true);
            }

            // The last point at which giving up leaves no trace; after the rename the blob is stored.
            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporary, target, overwrite: true);
            leftover = null;
            Posix.FsyncDirectory(directory);
        }
        catch (Exception e)
        {
            if (Translate(e, name, leftover, directory) is { } translated)
            {
                throw translated;
            }

            throw;
        }
    }

    /// <summary>
    /// For a failed put: removes its temporary file if there is one, and returns the exception to report instead of
    /// <paramref name="e"/> (a full disk, a folder that could not be created), or null to report it as it is.
    /// </summary>
    private Exception? Translate(Exception e, BlobName name, string? temporary, string directory)
    {
        if (temporary is not null)
        {
            RemoveAbandoned(temporary, e);
        }

        if (e is IOException io && IsDiskFull(io))
        {
            return new StorageFullException(RootPath, e);
        }

        if (temporary is null && e is IOException && e is not DirectoryNotFoundException && !Directory.Exists(directory))
        {
            return new IOException($"{RootPath}: cannot store {name}: the folder {directory} could not be created: {e.Message}", e);
        }

        return null;
    }

    /// <summary>True when <paramref name="exception"/> reports a full device or an exhausted quota.</summary>
    internal static bool IsDiskFull(IOException exception)
    {
        var code = Posix.ErrnoOf(exception);
        return OperatingSystem.IsWindows()
            ? code is WindowsDiskFull or WindowsHandleDiskFull
            : code is ENOSPC or EDQUOT;
    }

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
