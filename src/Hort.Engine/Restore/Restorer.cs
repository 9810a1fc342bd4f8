using System.Buffers;
using Hort.Core;
using Hort.Engine.Browsing;
using Hort.Engine.FileSystem;
using Hort.Repository;
using Hort.Repository.Format;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.Restore;

/// <summary>
/// Restores a snapshot into a target directory with full metadata. Every write goes through
/// <see cref="RestoreTarget"/>, relative to directory handles that never follow symlinks, so whatever names or links
/// the snapshot holds, nothing outside the target is created, changed or followed. Unsafe names are skipped and
/// reported. Runs of zero bytes become holes, so sparse files stay sparse. Hard links are restored as hard links.
/// </summary>
public sealed partial class Restorer
{
    // Octal 0700 and 0600: entries stay private until their recorded mode is applied at the end.
    private const uint OwnerOnlyDirectory = 0x1C0;
    private const uint OwnerOnlyFile = 0x180;

    private readonly IRestoreSource _source;
    private readonly RestoreOptions _options;
    private readonly IProgress<RestoreProgress>? _progress;
    private readonly RestoreSelection _selection;
    private readonly List<RestoreIssue> _issues = [];
    private readonly Dictionary<(ulong Device, ulong Inode), (byte[][] Parent, byte[] Name)> _links = [];
    private RestoreTarget _target = null!;
    private long _files;
    private long _directories;
    private long _others;
    private long _bytes;
    private long _filesTotal;
    private long _bytesTotal;
    private string? _current;

    public Restorer(HortRepository repository, RestoreOptions options, IProgress<RestoreProgress>? progress = null)
        : this(new RepositoryRestoreSource(repository), options, progress)
    {
    }

    /// <summary>A restorer reading from <paramref name="source"/> (a local repository or a server).</summary>
    public Restorer(IRestoreSource source, RestoreOptions options, IProgress<RestoreProgress>? progress = null)
    {
        _source = source;
        _options = options;
        _progress = progress;
        _selection = new RestoreSelection(options.Includes);
    }

    /// <summary>Restores <paramref name="snapshot"/>; the repository's index must be loaded.</summary>
    public async Task<RestoreResult> RunAsync(StoredSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        var root = await _source.LoadTreeAsync(snapshot.Snapshot.Tree, cancellationToken).ConfigureAwait(false);
        if (_progress is not null)
        {
            // Totals only serve the progress display.
            await CountAsync(root, [], cancellationToken).ConfigureAwait(false);
        }
        using var target = RestoreTarget.Open(_options.Target);
        _target = target;
        using var ticker = _progress is null ? null : new Timer(_ => Report(), null, 250, 250);
        if (_source.PlannedReads is null)
        {
            await RestoreTreeAsync(root, target.Root, [], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            _batch = new Batch(this);
            _walkCancellation = cancellationToken;
            try
            {
                await RestoreTreeAsync(root, target.Root, [], cancellationToken).ConfigureAwait(false);
                await FinishBatchesAsync().ConfigureAwait(false);
            }
            catch
            {
                await AbandonBatchesAsync().ConfigureAwait(false);
                throw;
            }
        }

        Report();
        return new RestoreResult(_files, _directories, _others, _bytes, _issues);
    }

    private void Report() => _progress?.Report(new RestoreProgress(
        Interlocked.Read(ref _files), Interlocked.Read(ref _bytes), _filesTotal, _bytesTotal, _current));

    private async Task CountAsync(Tree tree, List<byte[]> path, CancellationToken ct)
    {
        foreach (var node in tree.Nodes)
        {
            path.Add(node.Name);
            var sel = _selection.Select(path);
            if (sel != Selection.Skip)
            {
                if (node.Type == NodeType.File && sel == Selection.Whole)
                {
                    _filesTotal++;
                    _bytesTotal += (long)node.Size;
                }
                else if (node.Type == NodeType.Directory)
                {
                    try
                    {
                        await CountAsync(await _source.LoadTreeAsync(node.Subtree, ct).ConfigureAwait(false), path, ct).ConfigureAwait(false);
                    }
                    catch (HortException)
                    {
                        // Reported when the restore reaches it.
                    }
                }
            }

            path.RemoveAt(path.Count - 1);
        }
    }

    private void AddIssue(IReadOnlyList<byte[]> path, string message)
    {
        var issue = new RestoreIssue(SnapshotWalker.DisplayPath(path), message);
        lock (_issues)
        {
            _issues.Add(issue);
        }
    }

    private async Task RestoreTreeAsync(Tree tree, RestoreDirectory dir, List<byte[]> path, CancellationToken ct)
    {
        // Plain files (no other hard links) are restored in parallel, so decryption and decompression use every
        // core: planned by pack into batches from a local repository, else file by file. Everything else in order, so
        // hard links find the file they link to already restored.
        var parallel = new List<TreeNode>();
        foreach (var node in tree.Nodes)
        {
            path.Add(node.Name);
            try
            {
                if (!RestoreTarget.IsSafeName(node.Name))
                {
                    AddIssue(path, "skipped: the name is not a safe single path component");
                    continue;
                }

                var sel = _selection.Select(path);
                if (sel == Selection.Skip || (sel == Selection.Enter && node.Type != NodeType.Directory))
                {
                    continue;
                }

                if (node.Type == NodeType.File && node.LinkCount <= 1)
                {
                    if (_batch is not null)
                    {
                        await PlanFileAsync(node, dir, path).ConfigureAwait(false);
                    }
                    else
                    {
                        parallel.Add(node);
                    }

                    continue;
                }

                await RestoreGuardedAsync(node, dir, path, sel, ct).ConfigureAwait(false);
            }
            finally
            {
                path.RemoveAt(path.Count - 1);
            }
        }

        if (parallel.Count == 0)
        {
            return;
        }

        var prefix = path.ToArray();
        await Parallel.ForEachAsync(
            parallel,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = ct },
            async (node, token) =>
            {
                var filePath = new List<byte[]>(prefix.Length + 1);
                filePath.AddRange(prefix);
                filePath.Add(node.Name);
                await RestoreGuardedAsync(node, dir, filePath, Selection.Whole, token).ConfigureAwait(false);
            }).ConfigureAwait(false);
    }

    /// <summary>Restores one entry; a problem with it is reported and the restore goes on.</summary>
    private async Task RestoreGuardedAsync(TreeNode node, RestoreDirectory dir, List<byte[]> path, Selection sel, CancellationToken ct)
    {
        try
        {
            await RestoreNodeAsync(node, dir, path, sel, ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            AddIssue(path, e.Message);
        }
        catch (RepositoryCorruptException e)
        {
            AddIssue(path, "repository damage: " + e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            AddIssue(path, e.Message);
        }
    }

    private async Task RestoreNodeAsync(TreeNode node, RestoreDirectory dir, List<byte[]> path, Selection sel, CancellationToken ct)
    {
        switch (node.Type)
        {
            case NodeType.Directory:
            {
                var subtree = await _source.LoadTreeAsync(node.Subtree, ct).ConfigureAwait(false);
                using var child = dir.OpenOrCreateDirectory(node.Name, OwnerOnlyDirectory);
                await RestoreTreeAsync(subtree, child, path, ct).ConfigureAwait(false);
                _directories++;
                // Metadata last: a read-only mode or the mtime would otherwise be disturbed by the children.
                ApplyMetadata(child.Handle, node, path);
                break;
            }

            case NodeType.File:
                await RestoreFileAsync(node, dir, path, ct).ConfigureAwait(false);
                break;
            case NodeType.Symlink:
                dir.CreateSymlink(node.Name, node.LinkTarget);
                if (_options.RestoreOwnership)
                {
                    dir.SetOwner(node.Name, node.Uid, node.Gid);
                }

                foreach (var x in node.ExtendedAttributes)
                {
                    try
                    {
                        dir.SetExtendedAttribute(node.Name, x.Name, x.Value);
                    }
                    catch (IOException e)
                    {
                        AddIssue(path, $"extended attribute {NameText.Display(x.Name)} of the symlink not restored: {e.Message}");
                    }
                }

                dir.SetTimes(node.Name, ToUnix(node.AccessTime), ToUnix(node.ModifyTime));
                _others++;
                break;
            default:
                if (node.Type is NodeType.CharDevice or NodeType.BlockDevice && !PosixFileSystem.IsRoot)
                {
                    AddIssue(path, "skipped: creating device nodes needs root");
                    return;
                }

                dir.CreateSpecial(node.Name, (EntryType)(byte)node.Type, node.Mode, node.DeviceNumber);
                if (_options.RestoreOwnership)
                {
                    dir.SetOwner(node.Name, node.Uid, node.Gid);
                }

                dir.SetMode(node.Name, SafeMode(node));
                dir.SetTimes(node.Name, ToUnix(node.AccessTime), ToUnix(node.ModifyTime));
                _others++;
                break;
        }
    }

    private async Task RestoreFileAsync(TreeNode node, RestoreDirectory dir, List<byte[]> path, CancellationToken ct)
    {
        if (_progress is not null)
        {
            _current = SnapshotWalker.DisplayPath(path);
        }
        if (node.LinkCount > 1 && node.Inode != 0)
        {
            var key = (node.Device, node.Inode);
            if (_links.TryGetValue(key, out var first))
            {
                LinkToFirst(first.Parent, first.Name, dir, node.Name);
                Interlocked.Increment(ref _files);
                return;
            }

        }

        using var handle = dir.CreateFile(node.Name, OwnerOnlyFile);
        long offset = 0;
        foreach (var id in node.Content)
        {
            var (buffer, length) = await _source.RentBlobAsync(BlobType.Data, id, ct).ConfigureAwait(false);
            try
            {
                var data = buffer.AsSpan(0, length);

                // Zero runs are left as holes: sparse files come back sparse, and the length is set below.
                if (data.IndexOfAnyExcept((byte)0) >= 0)
                {
                    RandomAccess.Write(handle, data, offset);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            offset += length;
            Interlocked.Add(ref _bytes, length);
        }

        FileHandleMetadata.SetLength(handle, offset);
        if ((ulong)offset != node.Size)
        {
            AddIssue(path, $"restored {offset} bytes but the snapshot records {node.Size}");
        }

        ApplyMetadata(handle, node, path);
        Interlocked.Increment(ref _files);

        // Only a file that was restored may become the target of later hard links.
        if (node.LinkCount > 1 && node.Inode != 0)
        {
            _links.TryAdd((node.Device, node.Inode), (path.Take(path.Count - 1).ToArray(), node.Name));
        }
    }

    /// <summary>Hard-links <paramref name="name"/> to the first restored path of the same inode, reached from the target root.</summary>
    private void LinkToFirst(byte[][] parentComponents, byte[] firstName, RestoreDirectory dir, byte[] name)
    {
        var opened = new List<RestoreDirectory>();
        try
        {
            var parent = _target.Root;
            foreach (var c in parentComponents)
            {
                parent = parent.OpenOrCreateDirectory(c, OwnerOnlyDirectory);
                opened.Add(parent);
            }

            dir.CreateHardLink(parent, firstName, name);
        }
        finally
        {
            foreach (var d in opened)
            {
                d.Dispose();
            }
        }
    }

    private void ApplyMetadata(SafeFileHandle handle, TreeNode node, IReadOnlyList<byte[]> path)
    {
        if (_options.RestoreOwnership)
        {
            try
            {
                FileHandleMetadata.SetOwner(handle, node.Uid, node.Gid);
            }
            catch (IOException e)
            {
                AddIssue(path, "owner not restored: " + e.Message);
            }
        }

        // Extended attributes before the mode (a read-only mode would forbid setting user.* attributes as non-root)
        // and after chown (which drops security.capability).
        foreach (var x in node.ExtendedAttributes)
        {
            try
            {
                FileHandleMetadata.SetExtendedAttribute(handle, x.Name, x.Value);
            }
            catch (IOException e)
            {
                AddIssue(path, $"extended attribute {NameText.Display(x.Name)} not restored: {e.Message}");
            }
        }

        // After chown, which clears setuid/setgid.
        FileHandleMetadata.SetMode(handle, SafeMode(node));
        FileHandleMetadata.SetTimes(handle, ToUnix(node.AccessTime), ToUnix(node.ModifyTime));
    }

    private static UnixTime ToUnix(Timestamp t) => new(t.Seconds, t.Nanoseconds);

    /// <summary>
    /// The mode to apply. When owners are not restored, setuid and setgid are kept only if the recorded owner is
    /// the restoring user: otherwise another user's setuid program would become the restoring user's (as cp -p does).
    /// </summary>
    private uint SafeMode(TreeNode node)
    {
        const uint SetUid = 0x800;
        const uint SetGid = 0x400;
        var mode = node.Mode;
        if (_options.RestoreOwnership || node.Type == NodeType.Directory)
        {
            return mode;
        }

        if (node.Uid != PosixFileSystem.CurrentUid) mode &= ~SetUid;
        if (node.Gid != PosixFileSystem.CurrentGid) mode &= ~SetGid;
        return mode;
    }
}
