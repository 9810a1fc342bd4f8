using Hort.Core;
using Hort.Repository;
using Hort.Server.Hosting;
using Hort.Server.Sessions;
using Hort.Storage;

namespace Hort.Server.Catalog;

/// <summary>What a rebuild found.</summary>
public sealed record RebuildResult(int Pcs, int Snapshots, long KnownBlobs);

/// <summary>
/// <c>hortd rebuild-catalog</c>: rebuilds the catalog from the repository alone: administrators, groups, policies and
/// PCs from the server state document, snapshots and every PC's known set from the snapshots. Snapshots without a <c>hort-pc=</c> tag were not made through the
/// server (e.g. by <c>hort backup</c>) and belong to no PC.
/// </summary>
public static class CatalogRebuild
{
    public static async Task<RebuildResult> RunAsync(HortdOptions options, TextWriter console, TimeProvider time, CancellationToken ct)
    {
        var data = new DataFolder(options.DataDirectory);
        if (!File.Exists(data.RepositoryPasswordFile))
        {
            throw new HortException($"there is no repository password file {data.RepositoryPasswordFile}; is {data.Path} a hortd data folder?");
        }

        var store = new LocalDirectoryBlobStore(options.ResolvedRepositoryPath, time);
        using var repository = await HortRepository.OpenAsync(store, data.RepositoryPassword(out _), time, ct).ConfigureAwait(false);
        await repository.LoadIndexAsync(ct).ConfigureAwait(false);
        await repository.LoadUnindexedPacksAsync(ct).ConfigureAwait(false);
        await using var catalog = await ServerCatalog.OpenAsync(options, ct).ConfigureAwait(false);
        await console.WriteLineAsync($"hortd: rebuilding the {catalog.Provider} catalog from {options.ResolvedRepositoryPath}").ConfigureAwait(false);
        return await RebuildAsync(repository, catalog, Security.TotpSecrets.ForDataFolder(data.Path, time), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Restores administrators, groups, policies and PCs from the newest server state document, then replaces the
    /// catalog's snapshots and known sets by what the repository's snapshots say.
    /// </summary>
    public static async Task<RebuildResult> RebuildAsync(HortRepository repository, ServerCatalog catalog, Security.TotpSecrets secrets, CancellationToken ct)
    {
        if (await ServerStateStore.LoadNewestAsync(repository, ct).ConfigureAwait(false) is { } state)
        {
            await ServerStateStore.RestoreAsync(state, catalog, secrets, ct).ConfigureAwait(false);
        }

        await catalog.ClearDerivedAsync(ct).ConfigureAwait(false);
        var pcs = new HashSet<string>(StringComparer.Ordinal);
        var snapshots = 0;
        long known = 0;
        foreach (var stored in await repository.ListSnapshotsAsync(ct).ConfigureAwait(false))
        {
            var tag = stored.Snapshot.Tags.FirstOrDefault(t => t.StartsWith(BackupSessions.PcTagPrefix, StringComparison.Ordinal));
            if (tag is null) continue;
            var pcId = tag[BackupSessions.PcTagPrefix.Length..];
            if (pcs.Add(pcId) && await catalog.GetPcAsync(pcId, ct).ConfigureAwait(false) is null)
            {
                // Known only from its snapshots: it keeps its history but has no credential and must enroll again.
                await catalog.PutPcAsync(new PcRecord(pcId, stored.Snapshot.Hostname, stored.Snapshot.Hostname, null, "", "",
                    stored.Snapshot.Time, null, null, true, null), ct).ConfigureAwait(false);
            }

            await catalog.AddSnapshotAsync(BackupSessions.ToDto(stored.Id, pcId, stored.Snapshot), ct).ConfigureAwait(false);
            var (_, referenced) = await BackupSessions.WalkAsync(repository, stored.Snapshot.Tree, ct).ConfigureAwait(false);
            await catalog.AddKnownBlobsAsync(pcId, [.. referenced.Select(r => r.ToString())], ct).ConfigureAwait(false);
            known += referenced.Count;
            snapshots++;
        }

        return new RebuildResult(pcs.Count, snapshots, known);
    }
}
