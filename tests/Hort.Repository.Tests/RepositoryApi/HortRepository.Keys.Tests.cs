using Hort.Core;
using Hort.Storage;

namespace Hort.Repository.Tests.RepositoryApi;

public sealed class HortRepositoryKeysTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_new_repository_lists_one_key_marked_as_current()
    {
        var time = new ManualTime(new DateTimeOffset(2024, 3, 4, 5, 6, 7, TimeSpan.Zero));
        using var repository = await TestRepository.InitAsync(new InMemoryBlobStore(), time);

        var key = Assert.Single(await repository.ListKeysAsync(Ct));

        Assert.Equal(repository.KeyId, key.Id);
        Assert.True(key.IsCurrent);
        Assert.Equal("test-host", key.Hostname);
        Assert.Equal("tester", key.Username);
        Assert.Equal(time.GetUtcNow(), key.Created);
    }

    [Fact]
    public async Task An_added_key_opens_the_same_repository_with_its_own_password()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);

        var added = await repository.AddKeyAsync("second password", TestRepository.FastKeyCost, "laptop", "anna", Ct);

        var keys = await repository.ListKeysAsync(Ct);
        Assert.Equal(2, keys.Count);
        Assert.False(keys.Single(k => k.Id == added).IsCurrent);
        Assert.Equal("laptop", keys.Single(k => k.Id == added).Hostname);
        using var second = await TestRepository.OpenAsync(store, "second password");
        Assert.Equal(added, second.KeyId);
        Assert.Equal(repository.ComputeId("x"u8), second.ComputeId("x"u8));
        Assert.True((await second.ListKeysAsync(Ct)).Single(k => k.Id == added).IsCurrent);
    }

    [Fact]
    public async Task The_key_in_use_cannot_be_removed()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var before = await TestRepository.ContentsAsync(store);

        var e = await Assert.ThrowsAsync<HortException>(() => repository.RemoveKeyAsync(repository.KeyId, Ct));

        Assert.Contains("refusing", e.Message, StringComparison.Ordinal);
        await TestRepository.AssertUnchangedAsync(before, store);
    }

    [Fact]
    public async Task A_removed_key_no_longer_opens_the_repository()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var added = await repository.AddKeyAsync("second password", TestRepository.FastKeyCost, "h", "u", Ct);

        await repository.RemoveKeyAsync(added, Ct);

        Assert.Single(await repository.ListKeysAsync(Ct));
        await Assert.ThrowsAsync<WrongPasswordException>(() => HortRepository.OpenAsync(store, "second password", cancellationToken: Ct));
        await Assert.ThrowsAsync<NotFoundException>(() => repository.RemoveKeyAsync(added, Ct));
    }

    [Fact]
    public async Task After_a_password_change_the_old_password_fails_and_the_new_one_opens()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var oldKey = repository.KeyId;

        var newKey = await repository.ChangePasswordAsync("new password", TestRepository.FastKeyCost, "h", "u", Ct);

        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(newKey, Assert.Single(await repository.ListKeysAsync(Ct)).Id);
        await Assert.ThrowsAsync<WrongPasswordException>(() => HortRepository.OpenAsync(store, TestRepository.Password, cancellationToken: Ct));
        using var reopened = await TestRepository.OpenAsync(store, "new password");
        Assert.Equal(newKey, reopened.KeyId);
        Assert.Equal(repository.Config, reopened.Config);
    }

    [Fact]
    public async Task After_a_password_change_the_new_key_is_the_one_in_use()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var newKey = await repository.ChangePasswordAsync("new password", TestRepository.FastKeyCost, "h", "u", Ct);

        // Removing it would leave the repository with no key at all: nobody could ever open it again.
        await Assert.ThrowsAsync<HortException>(() => repository.RemoveKeyAsync(newKey, Ct));

        Assert.True(Assert.Single(await repository.ListKeysAsync(Ct)).IsCurrent);
        using var reopened = await TestRepository.OpenAsync(store, "new password");
    }

    [Fact]
    public async Task A_damaged_key_file_does_not_stop_another_key_from_opening()
    {
        var store = new InMemoryBlobStore();
        ObjectId added;
        using (var repository = await TestRepository.InitAsync(store))
        {
            added = await repository.AddKeyAsync("second password", TestRepository.FastKeyCost, "h", "u", Ct);
            var damaged = await store.GetAsync(BlobName.For(BlobKind.Key, repository.KeyId), Ct);
            await store.PutAsync(BlobName.For(BlobKind.Key, repository.KeyId), damaged[..(damaged.Length / 2)], Ct);
        }

        using var opened = await TestRepository.OpenAsync(store, "second password");

        Assert.Equal(added, opened.KeyId);
    }

    [Fact]
    public async Task When_only_a_damaged_key_could_match_the_error_names_it()
    {
        var store = new InMemoryBlobStore();
        string keyName;
        using (var repository = await TestRepository.InitAsync(store))
        {
            keyName = BlobName.For(BlobKind.Key, repository.KeyId).ToString();
            await store.PutAsync(BlobName.For(BlobKind.Key, repository.KeyId), "{\"version\":1"u8.ToArray(), Ct);
        }

        var e = await Assert.ThrowsAsync<HortException>(() => HortRepository.OpenAsync(store, TestRepository.Password, cancellationToken: Ct));

        Assert.Contains(keyName, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_are_found_by_unique_prefix()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var id = repository.KeyId.ToString();

        Assert.Equal(repository.KeyId, await repository.FindKeyAsync(id[..6], Ct));
        Assert.Equal(repository.KeyId, await repository.FindKeyAsync(id.ToUpperInvariant(), Ct));
        var other = id[0] == '0' ? "1" : "0";
        var e = await Assert.ThrowsAsync<NotFoundException>(() => repository.FindKeyAsync(other, Ct));
        Assert.Contains("no key matches", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prefix_shared_by_two_keys_is_ambiguous()
    {
        var store = new InMemoryBlobStore();
        using var repository = await TestRepository.InitAsync(store);
        var prefix = repository.KeyId.ToString()[..4];
        await store.PutAsync(new BlobName(BlobKind.Key, prefix + new string('0', 60)), "{}"u8.ToArray(), Ct);
        await store.PutAsync(new BlobName(BlobKind.Key, prefix + new string('1', 60)), "{}"u8.ToArray(), Ct);

        var e = await Assert.ThrowsAsync<NotFoundException>(() => repository.FindKeyAsync(prefix, Ct));

        Assert.Contains("several keys", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A clock standing still at a chosen instant.</summary>
    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
