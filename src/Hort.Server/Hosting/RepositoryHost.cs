using Hort.Core;
using Hort.Repository;
using Hort.Storage;

namespace Hort.Server.Hosting;

/// <summary>The repository the server owns: opened (or created on first start) with the password kept in the data folder.</summary>
public static class RepositoryHost
{
    /// <summary>Opens the repository, creating it (and its password file) if there is none; loads the index.</summary>
    public static async Task<HortRepository> OpenOrInitAsync(HortdOptions options, DataFolder data, TimeProvider time, TextWriter console, CancellationToken cancellationToken)
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

        await repository.LoadIndexAsync(cancellationToken).ConfigureAwait(false);
        // Packs left by uploads that were interrupted before their index was written are adopted, so resumed
        // sessions find their blobs durable instead of uploading them again.
        await repository.AdoptUnindexedPacksAsync(cancellationToken).ConfigureAwait(false);
        return repository;
    }
}
