using System.Text;
using Hort.Core;
using Hort.Engine.Backup;
using Hort.Engine.Restore;
using Hort.Repository;
using Hort.Repository.Chunking;
using Hort.Repository.Format;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;
using Hort.Storage;

namespace Hort.Engine.Tests.Support;

/// <summary>
/// A repository for end-to-end tests: cheap key derivation and small chunks (4/16/64 KiB) so that files of a
/// few hundred KiB already span many chunks.
/// </summary>
internal static class TestRepository
{
    public static readonly ChunkerParameters SmallChunks = new(4096, 16384, 65536);

    public static Task<HortRepository> CreateAsync(IBlobStore? store = null) =>
        HortRepository.InitAsync(store ?? new InMemoryBlobStore(), "pw", new RepositoryInitOptions
        {
            KeyCost = new KeyDerivationCost(1, 8 * 1024 * 1024),
            Chunker = SmallChunks,
        });

    public static Task<BackupResult> BackupAsync(this HortRepository repository, params string[] paths) =>
        new Archiver(repository, new BackupOptions { Paths = paths }).RunAsync(TestContext.Current.CancellationToken);

    public static Task<RestoreResult> RestoreAsync(this HortRepository repository, StoredSnapshot snapshot, string target, params string[] includes) =>
        new Restorer(repository, new RestoreOptions { Target = target, Includes = includes }).RunAsync(snapshot, TestContext.Current.CancellationToken);

    public static StoredSnapshot Stored(this BackupResult result) => new(result.SnapshotId, result.Snapshot);

    /// <summary>The node at an absolute path of the snapshot (name bytes split at '/').</summary>
    public static async Task<TreeNode> FindNodeAsync(this HortRepository repository, Snapshot snapshot, ReadOnlyMemory<byte> absolutePath)
    {
        var tree = await repository.LoadTreeAsync(snapshot.Tree);
        TreeNode? node = null;
        var rest = absolutePath[1..];
        while (true)
        {
            var slash = rest.Span.IndexOf((byte)'/');
            var name = slash < 0 ? rest : rest[..slash];
            node = tree.Find(name.Span) ?? throw new Xunit.Sdk.XunitException(
                $"the snapshot has no {Encoding.UTF8.GetString(name.Span)} on the way to {Encoding.UTF8.GetString(absolutePath.Span)}");
            if (slash < 0)
            {
                return node;
            }

            Assert.Equal(NodeType.Directory, node.Type);
            tree = await repository.LoadTreeAsync(node.Subtree);
            rest = rest[(slash + 1)..];
        }
    }

    public static Task<TreeNode> FindNodeAsync(this HortRepository repository, Snapshot snapshot, string absolutePath) =>
        repository.FindNodeAsync(snapshot, Encoding.UTF8.GetBytes(absolutePath));

    /// <summary>Stores hand-made trees (children before parents) and a snapshot of the last one, as a hostile writer could.</summary>
    public static async Task<StoredSnapshot> SaveHandMadeSnapshotAsync(this HortRepository repository, Func<HandMadeTrees, Task<ObjectId>> build)
    {
        using var writer = new BlobWriter(repository);
        var root = await build(new HandMadeTrees(repository, writer));
        await writer.FlushAsync();
        var snapshot = new Snapshot { Time = DateTimeOffset.UnixEpoch.AddDays(20000), Tree = root, Paths = ["/"] };
        var id = await repository.SaveSnapshotAsync(snapshot);
        return new StoredSnapshot(id, snapshot);
    }
}

/// <summary>Builds trees node by node for snapshots the archiver would never write.</summary>
internal sealed class HandMadeTrees(HortRepository repository, BlobWriter writer)
{
    public static readonly Timestamp SomeTime = new(1_500_000_000, 250_000_000);

    public async Task<ObjectId> TreeAsync(params TreeNode[] nodes) => await writer.SaveTreeAsync(new Tree(nodes));

    /// <summary>A file node whose content is one chunk (none when empty); names go in as given, unchecked.</summary>
    public async Task<TreeNode> FileAsync(string name, string content, uint mode = 0x1A4) => await FileAsync(Encoding.UTF8.GetBytes(name), Encoding.UTF8.GetBytes(content), mode);

    public async Task<TreeNode> FileAsync(byte[] name, byte[] content, uint mode = 0x1A4)
    {
        var chunks = new List<ObjectId>();
        if (content.Length > 0)
        {
            var id = repository.ComputeId(content);
            await writer.SaveAsync(BlobType.Data, id, content);
            chunks.Add(id);
        }

        return new TreeNode
        {
            Name = name, Type = NodeType.File, Mode = mode, Size = (ulong)content.Length, Content = chunks,
            ModifyTime = SomeTime, AccessTime = SomeTime, LinkCount = 1,
        };
    }

    /// <summary>Stores one data chunk (once, however often it is asked) and returns its ID.</summary>
    public async Task<ObjectId> ChunkAsync(byte[] content)
    {
        var id = repository.ComputeId(content);
        await writer.SaveAsync(BlobType.Data, id, content);
        return id;
    }

    /// <summary>A file node made of chunks stored with <see cref="ChunkAsync"/>, in this order (repeats allowed).</summary>
    public static TreeNode ChunkedFile(string name, long size, params ObjectId[] chunks) => new()
    {
        Name = Encoding.UTF8.GetBytes(name), Type = NodeType.File, Mode = 0x1A4, Size = (ulong)size, Content = chunks,
        ModifyTime = SomeTime, AccessTime = SomeTime, LinkCount = 1,
    };

    public async Task<TreeNode> DirectoryAsync(string name, params TreeNode[] children) => await DirectoryAsync(Encoding.UTF8.GetBytes(name), children);

    public async Task<TreeNode> DirectoryAsync(byte[] name, params TreeNode[] children) => new()
    {
        Name = name, Type = NodeType.Directory, Mode = 0x1ED, Subtree = await TreeAsync(children),
        ModifyTime = SomeTime, AccessTime = SomeTime,
    };

    public static TreeNode Symlink(string name, string target) => new()
    {
        Name = Encoding.UTF8.GetBytes(name), Type = NodeType.Symlink, Mode = 0x1FF, LinkTarget = Encoding.UTF8.GetBytes(target),
        ModifyTime = SomeTime, AccessTime = SomeTime,
    };
}
