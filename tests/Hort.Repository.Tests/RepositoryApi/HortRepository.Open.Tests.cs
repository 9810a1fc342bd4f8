using System.Buffers.Binary;
using Hort.Core;
using Hort.Repository.Format;
using Hort.Storage;

namespace Hort.Repository.Tests.RepositoryApi;

public sealed class HortRepositoryOpenTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Init_then_open_gives_the_same_config_and_master_key()
    {
        var store = new InMemoryBlobStore();
        using var created = await TestRepository.InitAsync(store);

        using var opened = await TestRepository.OpenAsync(store);

        Assert.Equal(created.Config, opened.Config);
        Assert.Equal(TestRepository.Options.Chunker, opened.Config.Chunker);
        Assert.Equal(TestRepository.Options.PackSize, opened.Config.PackSize);
        Assert.Equal(created.KeyId, opened.KeyId);
        Assert.Equal(created.ComputeId("x"u8), opened.ComputeId("x"u8));
        Assert.Equal(0, opened.Index.Count);
    }

    [Fact]
    public async Task Init_writes_one_key_and_the_config_and_nothing_else()
    {
        var store = new InMemoryBlobStore();

        using var repository = await TestRepository.InitAsync(store);

        var contents = await TestRepository.ContentsAsync(store);
        Assert.Equal(["config", $"keys/{repository.KeyId}"], contents.Keys);
        Assert.True(contents["config"].AsSpan(0, 8).SequenceEqual(FormatVersion.ConfigMagic));
    }

    [Fact]
    public async Task Two_repositories_get_different_IDs_and_keys()
    {
        using var a = await TestRepository.InitAsync(new InMemoryBlobStore());
        using var b = await TestRepository.InitAsync(new InMemoryBlobStore());

        Assert.NotEqual(a.Config.Id, b.Config.Id);
        Assert.NotEqual(a.ComputeId("same"u8), b.ComputeId("same"u8));
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_the_store_is_unchanged_byte_for_byte()
    {
        var store = new InMemoryBlobStore();
        using (var repository = await TestRepository.InitAsync(store))
        {
            await repository.AddKeyAsync("second password", TestRepository.FastKeyCost, "h", "u", Ct);
        }

        var before = await TestRepository.ContentsAsync(store);

        await Assert.ThrowsAsync<WrongPasswordException>(() => HortRepository.OpenAsync(store, "not the password", cancellationToken: Ct));

        await TestRepository.AssertUnchangedAsync(before, store);
    }

    [Fact]
    public async Task An_empty_store_holds_no_repository()
    {
        var store = new InMemoryBlobStore();

        var e = await Assert.ThrowsAsync<RepositoryNotFoundException>(() => HortRepository.OpenAsync(store, TestRepository.Password, cancellationToken: Ct));

        Assert.Contains(store.Location, e.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task A_config_of_format_version_2_is_refused_before_any_key_is_tried()
    {
        var store = new InMemoryBlobStore();
        using (await TestRepository.InitAsync(store))
        {
        }

        var config = await store.GetAsync(BlobName.Config, Ct);
        BinaryPrimitives.WriteUInt32LittleEndian(config.AsSpan(8), 2);
        await store.PutAsync(BlobName.Config, config, Ct);
        var before = await TestRepository.ContentsAsync(store);

        // Key files are never even listed, so no password work is done; a wrong password makes no difference.
        var counting = new FaultInjectingBlobStore(store, new FaultInjectionOptions { CountedOperations = BlobOperations.List });
        foreach (var password in new[] { TestRepository.Password, "wrong" })
        {
            var e = await Assert.ThrowsAsync<UnsupportedFormatException>(() => HortRepository.OpenAsync(counting, password, cancellationToken: Ct));
            Assert.Contains("version 2", e.Message, StringComparison.Ordinal);
        }

        Assert.Equal(0, counting.OperationCount);
        await TestRepository.AssertUnchangedAsync(before, store);
    }

    [Fact]
    public async Task A_config_with_a_bad_magic_is_not_a_hort_repository()
    {
        var store = new InMemoryBlobStore();
        using (await TestRepository.InitAsync(store))
        {
        }

        var config = await store.GetAsync(BlobName.Config, Ct);
        config[0] ^= 0xff;
        await store.PutAsync(BlobName.Config, config, Ct);

        var e = await Assert.ThrowsAsync<RepositoryNotFoundException>(() => HortRepository.OpenAsync(store, TestRepository.Password, cancellationToken: Ct));

        Assert.Contains("not a hort repository", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_damaged_config_is_reported_as_corruption_of_the_config()
    {
        var store = new InMemoryBlobStore();
        using (await TestRepository.InitAsync(store))
        {
        }

        var config = await store.GetAsync(BlobName.Config, Ct);
        config[^1] ^= 0x01;
        await store.PutAsync(BlobName.Config, config, Ct);

        var e = await Assert.ThrowsAsync<RepositoryCorruptException>(() => HortRepository.OpenAsync(store, TestRepository.Password, cancellationToken: Ct));

        Assert.Equal("config", e.ObjectName);
    }

    [Fact]
    public async Task Init_over_an_existing_repository_is_refused_and_changes_nothing()
    {
        var store = new InMemoryBlobStore();
        using (await TestRepository.InitAsync(store))
        {
        }

        var before = await TestRepository.ContentsAsync(store);

        foreach (var password in new[] { TestRepository.Password, "another password" })
        {
            var e = await Assert.ThrowsAsync<HortException>(() => HortRepository.InitAsync(store, password, TestRepository.Options, cancellationToken: Ct));
            Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        }

        await TestRepository.AssertUnchangedAsync(before, store);
        using var reopened = await TestRepository.OpenAsync(store);
    }

    [Fact]
    public async Task An_empty_password_is_refused_and_nothing_is_written()
    {
        var store = new InMemoryBlobStore();

        await Assert.ThrowsAsync<HortException>(() => HortRepository.InitAsync(store, "", TestRepository.Options, cancellationToken: Ct));

        Assert.Equal(0, store.Count);
    }

    [Theory]
    [InlineData(100, 256, 1024, 4096)]
    [InlineData(2_000_000_000, 256, 1024, 4096)]
    [InlineData(1 << 20, 256, 1000, 4096)]
    [InlineData(1 << 20, 16, 1024, 4096)]
    [InlineData(1 << 20, 2048, 1024, 4096)]
    public async Task Init_with_settings_no_reader_accepts_is_refused_and_writes_nothing(int packSize, int min, int average, int max)
    {
        // Otherwise init would create a repository that every later open refuses as corrupt.
        var store = new InMemoryBlobStore();
        var options = TestRepository.Options with { PackSize = packSize, Chunker = new Hort.Repository.Chunking.ChunkerParameters(min, average, max) };

        await Assert.ThrowsAnyAsync<Exception>(() => HortRepository.InitAsync(store, TestRepository.Password, options, cancellationToken: Ct));

        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task The_config_JSON_is_what_the_repository_was_created_with()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);

        var config = RepositoryConfig.FromJson(repository.ConfigJson());

        Assert.Equal(repository.Config, config);
    }
}
