using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Storage;

namespace Hort.Repository.Maintenance;

/// <summary>
/// A prune's announcement, written before it changes anything else: the packs and index files it will delete, and the
/// index file that replaces them. Writers that see it treat those packs as absent.
/// </summary>
public sealed record DeletionRecord(
    ObjectId Id, DateTimeOffset Created, string Hostname, ObjectId NewIndex,
    IReadOnlyList<(ObjectId PackId, long Length)> Packs, IReadOnlyList<ObjectId> Indexes)
{
    internal static byte[] Seal(ObjectCipher cipher, DateTimeOffset created, string hostname, ObjectId newIndex,
        IEnumerable<(ObjectId PackId, long Length)> packs, IEnumerable<ObjectId> indexes) =>
        MaintenanceCodec.Seal(cipher, new DeletionDocument
        {
            Created = created, Hostname = hostname, NewIndex = newIndex.ToString(),
            Packs = [.. packs.Select(static p => new DeletionPackDocument { Id = p.PackId.ToString(), Length = p.Length })],
            Indexes = [.. indexes.Select(static i => i.ToString())],
        }, MaintenanceJsonContext.Default.DeletionDocument, MaintenanceCodec.DeletionContext);

    internal static DeletionRecord Open(ObjectCipher cipher, ObjectId id, ReadOnlySpan<byte> stored)
    {
        var name = BlobName.For(BlobKind.Deletion, id).ToString();
        var doc = MaintenanceCodec.Open(cipher, stored, MaintenanceJsonContext.Default.DeletionDocument, MaintenanceCodec.DeletionContext, name);
        var packs = (doc.Packs ?? []).Select(p => (MaintenanceCodec.ParseId(p.Id, name, "a pack"), p.Length)).ToList();
        var indexes = (doc.Indexes ?? []).Select(i => MaintenanceCodec.ParseId(i, name, "an index file")).ToList();
        return new DeletionRecord(id, doc.Created, doc.Hostname ?? "", MaintenanceCodec.ParseId(doc.NewIndex, name, "the new index"), packs, indexes);
    }
}
