using Hort.Core;
using Hort.Engine.Maintenance;
using Hort.Repository;
using Hort.Repository.Maintenance;
using Hort.Storage;

namespace Hort.Server.Hosting;

/// <summary>The repository hortd writes to, the lease it holds, and the deletion records that lease acknowledges.</summary>
public sealed record HostedRepository(HortRepository Repository, RepositoryLease Lease, IReadOnlyList<ObjectId> Acknowledged);

/// <summary>The repository the server owns: opened (or created on first start) with the password kept in the data folder.</summary>
public static class RepositoryHost
{
    /// <summary>
    /// Opens the repository, creating it (and its password file) if there is none, takes the writer's lease and loads
    /// the index. The lease is held for as long as hortd runs, so a prune never deletes data a session may rely on;
    /// deletions announced later are taken into account and acknowledged by <c>Maintenance.DeletionFollower</c>.
    /// </summary>
    public static async Task<HostedRepository> OpenOrInitAsync(HortdOptions options, DataFolder data, TimeProvider time, TextWriter console, CancellationToken cancellationToken)
    {
        var path = options.ResolvedRepositoryPath;
        var store = new LocalDirectoryBlobStore(path, time);
        var exists = await store.StatAsync(BlobName.Config, cancellationToken).ConfigureAwait(false) is not null;
        HortRepository repository;
        if (exists)
        {
            if (!File.Exists(data.RepositoryPasswordFile))
            {
                throw new HortException($"the repository at {path} exists but its password file {data.RepositoryPasswordFile} is missing; restore the file");
            }

            repository = await HortRepository.OpenAsync(store, data.RepositoryPassword(out _), time, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var password = data.RepositoryPassword(out _);
            if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("hortd runs on Linux");
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var init = new RepositoryInitOptions
            {
                Hostname = Environment.MachineName,
                Username = "hortd",
                KeyCost = new KeyDerivationCost(options.PasswordHashing.Passes, options.PasswordHashing.MemoryKiB * 1024),
            };
            repository = await HortRepository.InitAsync(store, password, init, time, cancellationToken).ConfigureAwait(false);
            await console.WriteLineAsync($"hortd: created the repository at {path}; its password is in {data.RepositoryPasswordFile} — keep a copy somewhere safe").ConfigureAwait(false);
        }

        RepositoryLease? lease = null;
        try
        {
            // The lease comes before the index, as for every writer (format spec 11.5): a prune either sees it and
            // leaves the deletions it announces later pending until hortd acknowledges them (after reloading its index
            // without their packs), or announced them before the index is read here, and then their packs are left out.
            lease = await RepositoryLease.AcquireAsync(repository, BlobKind.Lease, LocalLeases.Owner, "hortd", LocalLeases.Leases, cancellationToken).ConfigureAwait(false);
            var deletionsSeen = await repository.LoadIndexForWritingAsync(cancellationToken).ConfigureAwait(false);
            // Packs left by uploads that were interrupted before their index was written are adopted, so resumed
            // sessions find their blobs durable instead of uploading them again.
            await repository.AdoptUnindexedPacksAsync(cancellationToken).ConfigureAwait(false);
            await lease.AcknowledgeAsync(deletionsSeen, cancellationToken).ConfigureAwait(false);
            return new HostedRepository(repository, lease, deletionsSeen);
        }
        catch
        {
            if (lease is not null) await lease.DisposeAsync().ConfigureAwait(false);
            repository.Dispose();
            throw;
        }
    }
}
