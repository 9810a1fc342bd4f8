using Hort.Core;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;
using Hort.Storage;

namespace Hort.Repository;

public sealed partial class HortRepository
{
    /// <summary>
    /// Reads every index file into <see cref="Index"/>, leaving out files another index file supersedes (repair
    /// writes such files); a damaged index file is an error naming it.
    /// </summary>
    public Task LoadIndexAsync(CancellationToken cancellationToken = default) =>
        LoadIndexAsync(beforeAdd: null, onDamaged: null, onRestart: null, cancellationToken);

    /// <summary>
    /// As <see cref="LoadIndexAsync(CancellationToken)"/>, telling the caller about each pack before it is added and about
    /// damaged index files (which then do not stop the load). Files are streamed one at a time; only when a file turns
    /// out to supersede one already loaded is the index built again, and <paramref name="onRestart"/> called first.
    /// </summary>
    internal Task LoadIndexAsync(
        Action<IndexedPack>? beforeAdd, Action<BlobName, RepositoryCorruptException>? onDamaged, Action? onRestart, CancellationToken cancellationToken) =>
        ReadIndexFilesAsync(() => Index, () => Index = new BlobIndex(), _excludedPacks, beforeAdd, onDamaged, onRestart, cancellationToken);

    /// <summary>
    /// The loading loop of <see cref="LoadIndexAsync(Action{IndexedPack}?, Action{BlobName, RepositoryCorruptException}?, Action?, CancellationToken)"/>,
    /// adding to the index <paramref name="target"/> returns and calling <paramref name="reset"/> to start over with an empty one.
    /// </summary>
    private async Task ReadIndexFilesAsync(
        Func<BlobIndex> target, Action reset, IReadOnlySet<ObjectId> excluded,
        Action<IndexedPack>? beforeAdd, Action<BlobName, RepositoryCorruptException>? onDamaged, Action? onRestart, CancellationToken cancellationToken)
    {
        var superseded = new HashSet<ObjectId>();
        var loaded = new HashSet<ObjectId>();
        var restart = false;
        for (var pass = 0; pass < 2; pass++)
        {
            await foreach (var (objectId, info) in ListObjectsAsync(BlobKind.Index, cancellationToken).ConfigureAwait(false))
            {
                if (superseded.Contains(objectId))
                {
                    continue;
                }

                IndexFile file;
                try
                {
                    file = await ReadIndexFileAsync(objectId, cancellationToken).ConfigureAwait(false);
                }
                catch (RepositoryCorruptException e) when (onDamaged is not null)
                {
                    onDamaged(info.Name, e);
                    continue;
                }

                if (pass == 0)
                {
                    // Only this file's own list can newly supersede a file loaded before it.
                    foreach (var replaced in file.Supersedes)
                    {
                        restart |= loaded.Contains(replaced);
                        superseded.Add(replaced);
                    }

                    loaded.Add(objectId);
                }

                foreach (var pack in file.Packs)
                {
                    if (excluded.Contains(pack.PackId))
                    {
                        continue;
                    }

                    beforeAdd?.Invoke(pack);
                    target().AddPack(pack.PackId, pack.Length, pack.Entries);
                }
            }

            if (!restart)
            {
                return;
            }

            onRestart?.Invoke();
            reset();
        }
    }

    /// <summary>Replaces the in-memory index (repair builds a new one from the packs).</summary>
    internal void UseIndex(BlobIndex index) => Index = index;

    /// <summary>Reads and authenticates one index file, checking that its content matches its name.</summary>
    public async Task<IndexFile> ReadIndexFileAsync(ObjectId id, CancellationToken cancellationToken = default)
    {
        var stored = await GetVerifiedAsync(BlobKind.Index, id, cancellationToken).ConfigureAwait(false);
        return IndexFile.Open(Codec.Cipher, stored, BlobName.For(BlobKind.Index, id).ToString());
    }

    /// <summary>Writes an index file listing <paramref name="packs"/>; returns its ID.</summary>
    public Task<ObjectId> WriteIndexAsync(IReadOnlyList<IndexedPack> packs, CancellationToken cancellationToken = default) =>
        WriteIndexAsync(packs, [], cancellationToken);

    /// <summary>Writes an index file listing <paramref name="packs"/> that replaces the index files <paramref name="supersedes"/>.</summary>
    public Task<ObjectId> WriteIndexAsync(IReadOnlyList<IndexedPack> packs, IReadOnlyList<ObjectId> supersedes, CancellationToken cancellationToken = default) =>
        PutContentAddressedAsync(Store, BlobKind.Index, new IndexFile(supersedes, packs).Seal(Codec.Cipher), cancellationToken);

    /// <summary>
    /// Finds packs that no index lists (left by an interrupted backup, or still being indexed by a running one),
    /// reads their headers and writes an index for them, so their blobs are reused instead of uploaded again.
    /// Packs whose header cannot be read are skipped and returned as damaged. Call after <see cref="LoadIndexAsync"/>.
    /// </summary>
    public async Task<(int Adopted, IReadOnlyList<ObjectId> Damaged)> AdoptUnindexedPacksAsync(CancellationToken cancellationToken = default) =>
        Summarize(await AdoptAsync(null, persist: true, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// As <see cref="AdoptUnindexedPacksAsync"/>, but only adds the packs to the in-memory index and writes nothing,
    /// so read-only commands can reach data whose index file is missing.
    /// </summary>
    public async Task<(int Adopted, IReadOnlyList<ObjectId> Damaged)> LoadUnindexedPacksAsync(CancellationToken cancellationToken = default) =>
        Summarize(await AdoptAsync(null, persist: false, cancellationToken).ConfigureAwait(false));

    private static (int Adopted, IReadOnlyList<ObjectId> Damaged) Summarize(UnindexedPacks result) =>
        (result.Adopted.Count, result.Damaged.Select(d => d.PackId).ToList());

    /// <summary>Packs found outside every index: those whose header was read, and those whose header is damaged.</summary>
    internal sealed record UnindexedPacks(IReadOnlyList<ObjectId> Adopted, IReadOnlyList<(ObjectId PackId, string Problem)> Damaged);

    /// <summary>
    /// Reads the headers of the packs no index lists and adds them to <see cref="Index"/> (and, with
    /// <paramref name="persist"/>, to a new index file). <paramref name="listed"/> is the pack listing when the caller
    /// has one already; otherwise the store is listed.
    /// </summary>
    internal async Task<UnindexedPacks> AdoptAsync(IReadOnlyDictionary<ObjectId, long>? listed, bool persist, CancellationToken cancellationToken)
    {
        if (listed is null)
        {
            var fromStore = new Dictionary<ObjectId, long>();
            await foreach (var (id, info) in ListObjectsAsync(BlobKind.Pack, cancellationToken).ConfigureAwait(false))
            {
                fromStore[id] = info.Length;
            }

            listed = fromStore;
        }

        var adopted = new List<IndexedPack>();
        var damaged = new List<(ObjectId, string)>();
        foreach (var (packId, length) in listed)
        {
            if (Index.ContainsPack(packId) || _excludedPacks.Contains(packId))
            {
                continue;
            }

            try
            {
                var entries = await PackReader.ReadHeaderAsync(Store, Codec.Cipher, packId, length, cancellationToken).ConfigureAwait(false);
                adopted.Add(new IndexedPack(packId, length, entries));
            }
            catch (RepositoryCorruptException e)
            {
                damaged.Add((packId, e.Problem));
            }
            catch (BlobNotFoundException)
            {
                // Removed while we listed; nothing to adopt.
            }
        }

        if (adopted.Count > 0 && persist)
        {
            await WriteIndexAsync(adopted, cancellationToken).ConfigureAwait(false);
        }

        foreach (var pack in adopted)
        {
            Index.AddPack(pack.PackId, pack.Length, pack.Entries);
        }

        return new UnindexedPacks([.. adopted.Select(p => p.PackId)], damaged);
    }
}
