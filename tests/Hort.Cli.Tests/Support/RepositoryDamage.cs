using Hort.Core;
using Hort.Repository;
using Hort.Repository.Format;
using Hort.Storage;

namespace Hort.Cli.Tests.Support;

/// <summary>Damages a repository on disk the way failing disks and careless hands do.</summary>
internal static class RepositoryDamage
{
    /// <summary>Overwrites the format version (bytes 8..11 of <c>config</c>, little-endian).</summary>
    public static void SetConfigVersion(string repositoryPath, uint version)
    {
        var path = Path.Combine(repositoryPath, "config");
        var bytes = File.ReadAllBytes(path);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), version);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Cuts a pack file to <paramref name="length"/> bytes.</summary>
    public static void Truncate(string repositoryPath, string pack, long length)
    {
        using var stream = new FileStream(Path.Combine(repositoryPath, "data", pack), FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
    }

    /// <summary>
    /// Flips one bit in the middle of the largest data blob of <paramref name="pack"/> (found through the
    /// repository's own index) and returns that blob's ID. Everything else in the pack stays intact.
    /// </summary>
    public static async Task<ObjectId> FlipBitInLargestDataBlobAsync(string repositoryPath, string password, string pack)
    {
        var packId = ObjectId.Parse(Path.GetFileName(pack));
        using var repo = await HortRepository.OpenAsync(new LocalDirectoryBlobStore(repositoryPath), password);
        await repo.LoadIndexAsync();
        var blob = repo.Index.Blobs()
            .Where(b => b.PackId == packId && b.Entry.Type == BlobType.Data)
            .MaxBy(b => b.Entry.StoredLength);
        Assert.True(blob.Entry.StoredLength > 0, $"pack {pack} holds no data blob");

        var path = Path.Combine(repositoryPath, "data", pack);
        var bytes = File.ReadAllBytes(path);
        bytes[blob.Entry.Offset + (blob.Entry.StoredLength / 2)] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        return blob.Entry.Id;
    }
}
