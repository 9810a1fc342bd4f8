using Hort.Repository.Chunking;
using Hort.Repository.Tests.RepositoryApi;
using Hort.Storage;

namespace Hort.Repository.Tests.Chunking;

public sealed class ChunkingKeysTests
{
    [Fact]
    public async Task The_subkeys_alone_split_and_name_content_like_the_repository()
    {
        using var repository = await TestRepository.InitAsync(new InMemoryBlobStore());
        var parameters = new ChunkerParameters(4096, 16384, 65536);
        using var keys = new ChunkingKeys(repository.Key.ChunkIdKey, repository.Key.ChunkerKey, parameters);
        var data = TestRepository.RandomBytes(300_000, 7);

        var expected = Boundaries(new Chunker(parameters, GearTable.Derive(repository.Key.ChunkerKey)), data);
        var actual = Boundaries(keys.CreateChunker(), data);

        Assert.True(expected.Count > 3);
        Assert.Equal(expected, actual);
        Assert.Equal(repository.ComputeId(data), keys.ComputeId(data));
        Assert.Equal(repository.ComputeId(data.AsSpan(0, 100)), keys.ComputeId(data.AsSpan(0, 100)));
    }

    [Fact]
    public void Wrong_key_lengths_and_invalid_sizes_are_refused()
    {
        var key = new byte[32];
        Assert.Throws<ArgumentException>(() => new ChunkingKeys(new byte[31], key, ChunkerParameters.Default));
        Assert.Throws<ArgumentException>(() => new ChunkingKeys(key, new byte[16], ChunkerParameters.Default));
        Assert.Throws<ArgumentException>(() => new ChunkingKeys(key, key, new ChunkerParameters(4096, 5000, 65536)));
    }

    private static List<(int Offset, int Length)> Boundaries(Chunker chunker, byte[] data) => [.. chunker.Split(data)];
}
