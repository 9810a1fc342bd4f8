using Hort.Core;
using Hort.Engine.FileSystem;
using Hort.Repository.Trees;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.Backup;

public sealed partial class Archiver
{
    private static readonly byte[] CacheDirTagName = "CACHEDIR.TAG"u8.ToArray();
    private static readonly byte[] CacheDirSignature = "Signature: 8a477f597d28d172789f06886806bc55"u8.ToArray();

    /// <summary>
    /// Saves a directory on the way to the chosen paths (open as <paramref name="self"/>): only its chosen children.
    /// Such directories are followed if they are symlinks (/lib -> usr/lib on Debian, /home -> /data/home), so a chosen
    /// path is saved where the user named it, and recorded as the directory it leads to.
    /// </summary>
    private async Task<ObjectId> SaveVirtualDirectoryAsync(TargetNode node, SafeFileHandle self, ObjectId? parentTree, CancellationToken ct)
    {
        var parent = await LoadParentTreeAsync(parentTree, ct).ConfigureAwait(false);
        if (node.IsTarget)
        {
            // "/" itself was chosen: save it whole.
            return await SaveDirectoryContentsAsync(self, node.FullPath, parent, ct).ConfigureAwait(false);
        }

        var nodes = new List<TreeNode>();
        foreach (var (name, child) in node.Children)
        {
            var parentNode = parent?.Find(name);
            try
            {
                if (child.IsTarget)
                {
                    var st = PosixFileSystem.LStatAt(self, name);
                    var saved = await SaveEntryAsync(self, child.FullPath, name, st, parentNode, ct).ConfigureAwait(false);
                    if (saved is not null) nodes.Add(saved);
                }
                else
                {
                    using var dir = OpenFollowing(child.FullPath);
                    var st = PosixFileSystem.Stat(dir);
                    var subtree = await SaveVirtualDirectoryAsync(child, dir, ParentSubtree(parentNode), ct).ConfigureAwait(false);
                    nodes.Add(BuildNode(dir, child.FullPath, [(byte)'.'], st, NodeType.Directory) with { Name = name, Subtree = subtree });
                }
            }
            catch (IOException e)
            {
                AddIssue(child.FullPath, e.Message);
            }
        }

        return await _writer.SaveTreeAsync(new Tree(nodes), ct).ConfigureAwait(false);
    }

    /// <summary>Saves one entry of any type; null when it vanished or cannot be recorded.</summary>
    private async Task<TreeNode?> SaveEntryAsync(SafeFileHandle dir, byte[] path, byte[] name, FileStatus st, TreeNode? parentNode, CancellationToken ct)
    {
        switch (st.Type)
        {
            case EntryType.File:
                Interlocked.Increment(ref _files);
                return await SaveFileAsync(dir, path, name, st, parentNode, ct).ConfigureAwait(false);
            case EntryType.Directory:
            {
                Interlocked.Increment(ref _directories);
                var parent = await LoadParentTreeAsync(ParentSubtree(parentNode), ct).ConfigureAwait(false);
                SafeFileHandle child;
                try
                {
                    child = PosixFileSystem.OpenDirectoryAt(dir, name);
                }
                catch (IOException e)
                {
                    AddIssue(path, e.Message);
                    return null;
                }

                using (child)
                {
                    var subtree = await SaveDirectoryContentsAsync(child, path, parent, ct).ConfigureAwait(false);
                    return BuildNode(dir, path, name, st, NodeType.Directory, parentNode, child) with { Subtree = subtree };
                }
            }

            case EntryType.Symlink:
                Interlocked.Increment(ref _others);
                try
                {
                    // A symlink's target cannot change without a new inode or ctime: an unchanged one keeps its target.
                    var node = BuildNode(dir, path, name, st, NodeType.Symlink, parentNode);
                    return node with
                    {
                        LinkTarget = SameInodeAndChangeTime(st, NodeType.Symlink, parentNode)
                            ? parentNode!.LinkTarget
                            : PosixFileSystem.ReadLinkAt(dir, name),
                    };
                }
                catch (IOException e)
                {
                    AddIssue(path, e.Message);
                    return null;
                }

            default:
                Interlocked.Increment(ref _others);
                return BuildNode(dir, path, name, st, (NodeType)(byte)st.Type, parentNode) with { DeviceNumber = st.DeviceNumber };
        }
    }

    /// <summary>Saves a directory's entries (files to read in parallel) as a tree; returns the tree's ID.</summary>
    private async Task<ObjectId> SaveDirectoryContentsAsync(SafeFileHandle dir, byte[] path, Tree? parent, CancellationToken ct)
    {
        List<byte[]> names;
        try
        {
            names = PosixFileSystem.ReadDirectory(dir);
        }
        catch (IOException e)
        {
            AddIssue(path, e.Message);
            return await _writer.SaveTreeAsync(new Tree([]), ct).ConfigureAwait(false);
        }

        names.Sort(ByteNameComparer.Instance);
        if (_options.ExcludeCaches && names.Exists(n => n.AsSpan().SequenceEqual(CacheDirTagName)) && HasCacheDirSignature(dir))
        {
            names = [CacheDirTagName];
        }

        var entries = new List<(byte[] Name, byte[] Path, FileStatus Status)>(names.Count);
        foreach (var name in names)
        {
            var childPath = PosixFileSystem.Join(path, name);
            if (!_excludes.IsEmpty && _excludes.IsExcluded(PosixFileSystem.Display(childPath)))
            {
                continue;
            }

            try
            {
                entries.Add((name, childPath, PosixFileSystem.LStatAt(dir, name)));
            }
            catch (IOException e)
            {
                AddIssue(childPath, e.Message);
            }
        }

        var results = new TreeNode?[entries.Count];

        // Files to read are handed to workers (at most Parallelism files in flight over the whole backup) while this
        // thread walks on, into the subdirectories too, so the cores stay busy across directory boundaries. Entries
        // that need no reading (unchanged files, directories, links, ...) are saved right here: for them, a hand-over
        // to another thread costs more than the work.
        List<Task>? reading = null;
        try
        {
            for (var i = 0; i < entries.Count; i++)
            {
                var (name, childPath, st) = entries[i];
                var parentNode = parent?.Find(name);
                if (st.Type != EntryType.File)
                {
                    results[i] = await SaveEntryAsync(dir, childPath, name, st, parentNode, ct).ConfigureAwait(false);
                    continue;
                }

                Interlocked.Increment(ref _files);
                if (IsUnchanged(st, parentNode))
                {
                    results[i] = SaveUnchangedFile(dir, childPath, name, st, parentNode!);
                    continue;
                }

                await _fileSlots.WaitAsync(ct).ConfigureAwait(false);
                var index = i;
                (reading ??= []).Add(Task.Run(async () =>
                {
                    try
                    {
                        results[index] = await ReadFileAsync(dir, childPath, name, st, parentNode, ct).ConfigureAwait(false);
                    }
                    finally
                    {
                        _fileSlots.Release();
                    }
                }, CancellationToken.None));
            }
        }
        catch
        {
            // The workers use this directory's handle: let them finish before it is closed and the failure propagates.
            if (reading is not null)
            {
                await Task.WhenAll(reading).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }

            throw;
        }

        if (reading is not null)
        {
            await Task.WhenAll(reading).ConfigureAwait(false);
        }

        var nodes = new List<TreeNode>(results.Length);
        foreach (var n in results)
        {
            if (n is not null) nodes.Add(n);
        }

        return await _writer.SaveTreeAsync(new Tree(nodes), ct).ConfigureAwait(false);
    }

    private static bool HasCacheDirSignature(SafeFileHandle dir)
    {
        try
        {
            using var handle = PosixFileSystem.OpenReadAt(dir, CacheDirTagName);
            var buffer = new byte[CacheDirSignature.Length];
            var read = RandomAccess.Read(handle, buffer, 0);
            return read == buffer.Length && buffer.AsSpan().SequenceEqual(CacheDirSignature);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// The node for an entry from its status and extended attributes. When <paramref name="previous"/> (the entry in
    /// the parent snapshot) has the same type, inode and ctime, its attributes are reused instead of read again:
    /// setting or removing an extended attribute updates the ctime, so an equal ctime means equal attributes. Otherwise
    /// they are read through <paramref name="open"/> when the entry is open anyway, else by name.
    /// </summary>
    private TreeNode BuildNode(SafeFileHandle dir, byte[] path, byte[] name, FileStatus st, NodeType type, TreeNode? previous = null, SafeFileHandle? open = null)
    {
        var xattrs = SameInodeAndChangeTime(st, type, previous)
            ? previous!.ExtendedAttributes
            : ReadExtendedAttributes(dir, path, name, open);
        return new TreeNode
        {
            Name = name,
            Type = type,
            Mode = st.Mode,
            Uid = st.Uid,
            Gid = st.Gid,
            User = PosixFileSystem.UserName(st.Uid) ?? "",
            Group = PosixFileSystem.GroupName(st.Gid) ?? "",
            ModifyTime = new Timestamp(st.ModifyTime.Seconds, st.ModifyTime.Nanoseconds),
            AccessTime = new Timestamp(st.AccessTime.Seconds, st.AccessTime.Nanoseconds),
            ChangeTime = new Timestamp(st.ChangeTime.Seconds, st.ChangeTime.Nanoseconds),
            Inode = st.Inode,
            Device = st.Device,
            LinkCount = st.LinkCount,
            ExtendedAttributes = xattrs,
        };
    }

    /// <summary>True when <paramref name="previous"/> is the same inode, of the same type, with the same ctime.</summary>
    private static bool SameInodeAndChangeTime(FileStatus st, NodeType type, TreeNode? previous) =>
        previous is not null
        && previous.Type == type
        && previous.Inode == st.Inode
        && previous.Device == st.Device
        && previous.ChangeTime == new Timestamp(st.ChangeTime.Seconds, st.ChangeTime.Nanoseconds);

    private IReadOnlyList<ExtendedAttribute> ReadExtendedAttributes(SafeFileHandle dir, byte[] path, byte[] name, SafeFileHandle? open)
    {
        IReadOnlyList<ExtendedAttribute> xattrs = [];
        try
        {
            var list = open is null ? PosixFileSystem.ReadExtendedAttributesAt(dir, name) : PosixFileSystem.ReadExtendedAttributes(open, name);
            if (list.Count > 0)
            {
                var arr = list.Select(kv => new ExtendedAttribute(kv.Key, kv.Value)).ToArray();
                Array.Sort(arr, static (a, b) => a.Name.AsSpan().SequenceCompareTo(b.Name));
                xattrs = arr;
            }
        }
        catch (IOException e)
        {
            AddIssue(path, "extended attributes not saved: " + e.Message);
        }

        return xattrs;
    }

    private async Task<Tree?> LoadParentTreeAsync(ObjectId? id, CancellationToken ct)
    {
        if (id is not { IsEmpty: false } treeId)
        {
            return null;
        }

        try
        {
            return await _target.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
        }
        catch (HortException)
        {
            return null; // a damaged parent only costs re-reading files
        }
    }

    /// <summary>Opens a directory on the way to a chosen path, following it if it is a symlink.</summary>
    private static SafeFileHandle OpenFollowing(byte[] path) => PosixFileSystem.OpenDirectory(PosixFileSystem.Join(path, "."u8));

    private static ObjectId? ParentSubtree(TreeNode? node) => node is { Type: NodeType.Directory } ? node.Subtree : null;
}
