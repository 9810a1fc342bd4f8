using Hort.Core;
using Hort.Engine.Maintenance;
using Hort.Repository;
using Hort.Repository.Checking;
using Hort.Repository.Format;
using Hort.Repository.Maintenance;
using Hort.Repository.Trees;
using Hort.Server.Hosting;
using Hort.Storage;

namespace Hort.Server.Tests;

/// <summary>Opens the repository a test hortd serves, as <c>hort</c> would beside it, and reads what tests assert on.</summary>
internal static class ServedRepository
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<HortRepository> OpenAsync(HortdOptions options, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var store = new LocalDirectoryBlobStore(options.ResolvedRepositoryPath, time);
        var password = new DataFolder(options.DataDirectory).RepositoryPassword(out _);
        var repository = await HortRepository.OpenAsync(store, password, time, Ct);
        await repository.LoadIndexAsync(Ct);
        return repository;
    }

    /// <summary>What <c>hort prune</c> uses beside hortd.</summary>
    public static PruneOptions Prune() => new() { MaxUnused = 0, Leases = LocalLeases.Leases, Owner = LocalLeases.Owner };

    public static async Task<IReadOnlySet<string>> PacksAsync(HortRepository repository)
    {
        var packs = new HashSet<string>();
        await foreach (var (id, _) in repository.ListObjectsAsync(BlobKind.Pack, Ct))
        {
            packs.Add(id.ToString());
        }

        return packs;
    }

    /// <summary><c>hort check --read-data</c> from a fresh reader.</summary>
    public static async Task<CheckReport> CheckAsync(HortdOptions options)
    {
        using var reader = await OpenAsync(options);
        return await new Checker(reader).RunAsync(new CheckOptions { ReadData = true }, Ct);
    }

    /// <summary>The content of the file named <paramref name="name"/> in a snapshot's root tree, read as a restore would.</summary>
    public static async Task<byte[]> RestoreFileAsync(HortdOptions options, string snapshotId, string name)
    {
        using var reader = await OpenAsync(options);
        var snapshot = await reader.LoadSnapshotAsync(ObjectId.Parse(snapshotId), Ct);
        var tree = await reader.LoadTreeAsync(snapshot.Tree, Ct);
        var node = tree.Nodes.Single(n => n.Type == NodeType.File && System.Text.Encoding.UTF8.GetString(n.Name) == name);
        using var content = new MemoryStream();
        foreach (var chunk in node.Content)
        {
            content.Write(await reader.LoadBlobAsync(BlobType.Data, chunk, Ct));
        }

        return content.ToArray();
    }
}
