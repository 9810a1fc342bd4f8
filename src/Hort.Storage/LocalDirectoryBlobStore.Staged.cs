using Microsoft.Win32.SafeHandles;

namespace Hort.Storage;

public sealed partial class LocalDirectoryBlobStore
{
    /// <inheritdoc />
    /// <remarks>
    /// The bytes go straight to a <c>.tmp-</c> file in the kind's folder (a pack's <c>data/xx/</c> folder is known only
    /// from its name), so a staged blob holds no more than a file handle in memory. The commit syncs the file, renames it
    /// to its final path, which stays inside the repository and so on one file system, and syncs that folder.
    /// </remarks>
    public IStagedBlob BeginPut(BlobKind kind)
    {
        var directory = kind == BlobKind.Config ? RootPath : Path.Combine(RootPath, FolderOf(kind));
        string? temporary = null;
        try
        {
            EnsureDirectory(directory);
            temporary = NewTemporaryPath(directory);
            return new StagedFile(this, kind, temporary, CreateTemporary(temporary));
        }
        catch (Exception e)
        {
            var reported = Failure(e, temporary, directory, $"a {kind} blob");
            if (reported == e)
            {
                throw;
            }

            throw reported;
        }
    }

    private sealed class StagedFile(LocalDirectoryBlobStore store, BlobKind kind, string temporary, FileStream file) : IStagedBlob
    {
        // Taken once: FileStream.SafeFileHandle seeks the descriptor to the stream's position on every call, one
        // lseek per blob written for nothing, since RandomAccess.Write gives its own offset.
        private readonly SafeFileHandle _handle = file.SafeFileHandle;
        private bool _closed;

        public long Length { get; private set; }

        public void Write(ReadOnlySpan<byte> bytes)
        {
            ThrowIfClosed();
            try
            {
                RandomAccess.Write(_handle, bytes, Length);
                Length += bytes.Length;
            }
            catch (Exception e)
            {
                var reported = Abandon(e, Path.GetDirectoryName(temporary)!, $"a {kind} blob");
                if (reported == e)
                {
                    throw;
                }

                throw reported;
            }
        }

        public Task CommitAsync(BlobName name, CancellationToken cancellationToken = default)
        {
            // The work is synchronous (fsync, rename, fsync); failures still arrive through the task, as from PutAsync.
            try
            {
                ThrowIfClosed();
                StagedPut.CheckKind(kind, name);
                Commit(name, cancellationToken);
                return Task.CompletedTask;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return Task.FromCanceled(cancellationToken);
            }
            catch (Exception e)
            {
                return Task.FromException(e);
            }
        }

        public void Dispose()
        {
            if (!_closed)
            {
                _closed = true;
                file.Dispose();
                RemoveAbandoned(temporary, cause: null);
            }
        }

        private void Commit(BlobName name, CancellationToken cancellationToken)
        {
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                file.Flush(flushToDisk: true);
                file.Dispose();
                store.Publish(temporary, name, cancellationToken);
                _closed = true;
            }
            catch (Exception e)
            {
                var reported = Abandon(e, Path.GetDirectoryName(store.PathOf(name))!, name.ToString());
                if (reported == e)
                {
                    throw;
                }

                throw reported;
            }
        }

        /// <summary>Ends this staged put after a failure, leaving nothing behind; returns what the caller should see.</summary>
        private Exception Abandon(Exception e, string directory, string blob)
        {
            _closed = true;
            file.Dispose();
            return store.Failure(e, temporary, directory, blob);
        }

        private void ThrowIfClosed()
        {
            if (_closed)
            {
                throw new InvalidOperationException(StagedPut.Closed);
            }
        }
    }
}
