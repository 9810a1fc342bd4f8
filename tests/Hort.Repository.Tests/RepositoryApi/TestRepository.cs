using Hort.Repository.Chunking;
using Hort.Storage;

namespace Hort.Repository.Tests.RepositoryApi;

/// <summary>Fast repositories for tests: cheap key derivation, small chunks and packs.</summary>
internal static class TestRepository
{
    public const string Password = "correct horse battery staple";

    public static KeyDerivationCost FastKeyCost { get; } = new(1, 8 * 1024 * 1024);

    public static RepositoryInitOptions Options { get; } = new()
    {
        KeyCost = FastKeyCost,
        Chunker = new ChunkerParameters(256, 1024, 4096),
        PackSize = 1 << 16,
        Hostname = "test-host",
        Username = "tester",
    };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<HortRepository> InitAsync(IBlobStore store, TimeProvider? time = null) =>
        HortRepository.InitAsync(store, Password, Options, time, Ct);

    /// <summary>Opens with the test password and loads the index, as every reader does.</summary>
    public static async Task<HortRepository> OpenAsync(IBlobStore store, string password = Password)
    {
        var repository = await HortRepository.OpenAsync(store, password, cancellationToken: Ct);
        await repository.LoadIndexAsync(Ct);
        return repository;
    }

    /// <summary>Every blob of every kind with its bytes, keyed by its path in the store.</summary>
    public static async Task<SortedDictionary<string, byte[]>> ContentsAsync(IBlobStore store)
    {
        var contents = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var kind in Enum.GetValues<BlobKind>())
        {
            await foreach (var info in store.ListAsync(kind, Ct))
            {
                contents.Add(info.Name.ToString(), await store.GetAsync(info.Name, Ct));
            }
        }

        return contents;
    }

    public static async Task AssertUnchangedAsync(SortedDictionary<string, byte[]> before, IBlobStore store)
    {
        var after = await ContentsAsync(store);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (name, bytes) in before)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} changed");
        }
    }

    /// <summary>Reproducible random bytes.</summary>
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<List<BlobInfo>> ListAsync(IBlobStore store, BlobKind kind)
    {
        var list = new List<BlobInfo>();
        await foreach (var info in store.ListAsync(kind, Ct))
        {
            list.Add(info);
        }

        return list;
    }
}
