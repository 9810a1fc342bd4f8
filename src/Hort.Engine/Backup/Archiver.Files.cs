using Hort.Core;
using Hort.Engine.FileSystem;
using Hort.Repository;
using Hort.Repository.Chunking;
using Hort.Repository.Format;
using Hort.Repository.Trees;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.Backup;

public sealed partial class Archiver
{
    private const int ENOENT = 2;

    /// <summary>Saves a regular file: reuses the parent's chunk list when unchanged, else reads and chunks it.</summary>
    private async Task<TreeNode?> SaveFileAsync(SafeFileHandle dir, byte[] path, byte[] name, FileStatus st, TreeNode? parentNode, CancellationToken ct) =>
        IsUnchanged(st, parentNode)
            ? SaveUnchangedFile(dir, path, name, st, parentNode!)
            : await ReadFileAsync(dir, path, name, st, parentNode, ct).ConfigureAwait(false);

    /// <summary>A file unchanged since the parent snapshot: its chunk list and attributes are taken from there.</summary>
    private TreeNode SaveUnchangedFile(SafeFileHandle dir, byte[] path, byte[] name, FileStatus st, TreeNode parentNode)
    {
        Interlocked.Increment(ref _filesUnchanged);
        Interlocked.Increment(ref _filesDone);
        Interlocked.Add(ref _bytesDone, st.Size);
        return BuildNode(dir, path, name, st, NodeType.File, parentNode) with { Size = parentNode.Size, Content = parentNode.Content };
    }

    /// <summary>Reads a new or changed file (or takes the content of a hard link to one read in this run).</summary>
    private async Task<TreeNode?> ReadFileAsync(SafeFileHandle dir, byte[] path, byte[] name, FileStatus st, TreeNode? parentNode, CancellationToken ct)
    {
        if (st.LinkCount > 1 && _hardLinks.TryGetValue((st.Device, st.Inode), out var linked))
        {
            CountChange(parentNode, linked);
            Interlocked.Increment(ref _filesDone);
            Interlocked.Add(ref _bytesDone, st.Size);
            return BuildNode(dir, path, name, st, NodeType.File, parentNode) with { Size = (ulong)st.Size, Content = linked };
        }

        if (_progress is not null)
        {
            _current = PosixFileSystem.Display(path);
        }
        SafeFileHandle handle;
        try
        {
            handle = PosixFileSystem.OpenReadAt(dir, name);
        }
        catch (PosixException e) when (e.Errno == ENOENT)
        {
            AddIssue(path, "vanished before it could be read");
            return null;
        }
        catch (IOException e)
        {
            AddIssue(path, e.Message);
            return null;
        }

        TreeNode node;
        List<ObjectId> content;
        long size;
        using (handle)
        {
            // The extended attributes are read through the handle the content is read from.
            node = BuildNode(dir, path, name, st, NodeType.File, parentNode, handle);
            try
            {
                (content, size) = await ReadContentAsync(handle, st.Size, ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                AddIssue(path, "could not be read completely: " + e.Message);
                return null;
            }

            try
            {
                var after = PosixFileSystem.Stat(handle);
                if (after.Size != size || after.ModifyTime != st.ModifyTime)
                {
                    AddIssue(path, "changed while being read; the saved copy may be inconsistent");
                }
            }
            catch (IOException)
            {
            }
        }

        CountChange(parentNode, content);
        Interlocked.Increment(ref _filesDone);
        if (st.LinkCount > 1)
        {
            _hardLinks.TryAdd((st.Device, st.Inode), content);
        }

        return node with { Size = (ulong)size, Content = content };
    }

    /// <summary>Counts a file that was read (or linked to one read in this run) as new, changed or unchanged.</summary>
    private void CountChange(TreeNode? parentNode, IReadOnlyList<ObjectId> content)
    {
        if (parentNode is not { Type: NodeType.File })
        {
            Interlocked.Increment(ref _filesNew);
        }
        else if (parentNode.Content.SequenceEqual(content))
        {
            Interlocked.Increment(ref _filesUnchanged);
        }
        else
        {
            Interlocked.Increment(ref _filesChanged);
        }
    }

    private bool IsUnchanged(FileStatus st, TreeNode? parentNode)
    {
        if (parentNode is not { Type: NodeType.File } p
            || p.Size != (ulong)st.Size
            || p.Inode != st.Inode
            || p.ModifyTime != new Timestamp(st.ModifyTime.Seconds, st.ModifyTime.Nanoseconds)
            || p.ChangeTime != new Timestamp(st.ChangeTime.Seconds, st.ChangeTime.Nanoseconds))
        {
            return false;
        }

        foreach (var id in p.Content)
        {
            if (!_writer.Has(id)) return false;
        }

        return true;
    }

    /// <summary>
    /// Reads a file through the chunker, saving each chunk; returns the chunk IDs and bytes read. A file of more
    /// than one chunk is pipelined: while this thread reads and cuts the next chunk, earlier chunks are hashed,
    /// compressed and encrypted on other threads, at most <see cref="ChunkSlots"/> at a time for the whole backup,
    /// so one large file keeps every core busy and memory stays bounded.
    /// </summary>
    private async Task<(List<ObjectId> Content, long Size)> ReadContentAsync(SafeFileHandle handle, long expectedSize, CancellationToken ct)
    {
        var chunker = _target.CreateChunker();
        if (expectedSize < chunker.Parameters.MinSize
            && await TryReadSmallAsync(handle, (int)expectedSize, chunker.Parameters.MinSize, ct).ConfigureAwait(false) is { } small)
        {
            return small;
        }

        long fileOffset = 0;
        using var reader = new ChunkReader(chunker, (buffer, _) =>
        {
            var read = RandomAccess.Read(handle, buffer.Span, fileOffset);
            fileOffset += read;
            Interlocked.Add(ref _bytesDone, read);
            return ValueTask.FromResult(read);
        });
        var content = new List<ObjectId>();
        var saving = new List<Task<ObjectId>>();
        try
        {
            while (await reader.NextAsync(ct).ConfigureAwait(false) is { } chunk)
            {
                await _chunkSlots.WaitAsync(ct).ConfigureAwait(false);
                // The reader's memory is reused by its next call; the worker gets its own pooled copy.
                // Sized for the largest chunk, so that all copies share one pooled buffer size.
                var copy = LargeBuffers.Rent(Math.Max(chunk.Length, chunker.Parameters.MaxSize));
                chunk.Span.CopyTo(copy);
                var length = chunk.Length;
                saving.Add(Task.Run(async () =>
                {
                    try
                    {
                        return await SaveChunkAsync(copy.AsMemory(0, length), ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        LargeBuffers.Return(copy);
                        _chunkSlots.Release();
                    }
                }, CancellationToken.None));
            }
        }
        catch
        {
            // Chunks handed over are still being saved; let them finish before the file's failure propagates.
            // Their own failures are recorded by the blob writer, which then refuses to save the snapshot.
            await Task.WhenAll(saving).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            throw;
        }

        foreach (var saved in saving)
        {
            content.Add(await saved.ConfigureAwait(false));
        }

        return (content, fileOffset);
    }

    /// <summary>
    /// Reads a file expected to be smaller than the minimum chunk size into a buffer of about its size and saves it as
    /// its one chunk. Null when the file turned out to be larger (it grew): the caller then chunks it from the start.
    /// </summary>
    private async Task<(List<ObjectId> Content, long Size)?> TryReadSmallAsync(SafeFileHandle handle, int expectedSize, int minSize, CancellationToken ct)
    {
        // One byte more than expected, so that growth shows.
        var wanted = expectedSize + 1;
        var buffer = LargeBuffers.Rent(wanted);
        try
        {
            var length = 0;
            int read;
            while (length < wanted && (read = RandomAccess.Read(handle, buffer.AsSpan(length, wanted - length), length)) > 0)
            {
                length += read;
                if (length == expectedSize)
                {
                    // A regular file's read comes back short only at its end, so this is all of it; a file that
                    // grows from now on is caught by the status the caller takes after reading.
                    break;
                }
            }

            if (length == wanted || length >= minSize)
            {
                return null;
            }

            // Below the minimum size the chunker always cuts the whole input as one chunk; empty input has none.
            Interlocked.Add(ref _bytesDone, length);
            List<ObjectId> content = length == 0 ? [] : [await SaveChunkAsync(buffer.AsMemory(0, length), ct).ConfigureAwait(false)];
            return (content, length);
        }
        finally
        {
            LargeBuffers.Return(buffer);
        }
    }

    private async Task<ObjectId> SaveChunkAsync(ReadOnlyMemory<byte> chunk, CancellationToken ct)
    {
        var id = _target.ComputeId(chunk.Span);
        await _writer.SaveAsync(BlobType.Data, id, chunk, ct).ConfigureAwait(false);
        return id;
    }
}
