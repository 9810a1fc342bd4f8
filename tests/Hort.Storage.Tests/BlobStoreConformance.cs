using System.Security.Cryptography;
using Hort.Storage;

namespace Hort.Storage.Tests;

/// <summary>
/// Checks every guarantee written on <see cref="IBlobStore"/>. A backend's test class derives from this and says how
/// to make a fresh, empty store; it depends on nothing but Hort.Storage so any backend's tests can reuse it.
/// </summary>
public abstract class BlobStoreConformance
{
    private readonly Lazy<IBlobStore> _store;

    protected BlobStoreConformance()
    {
        // Lazy (thread-safe by default) because concurrency tests touch Store first from several tasks at once; a
        // plain ??= could make two stores and leave some puts in the one nobody reads.
        _store = new Lazy<IBlobStore>(CreateStore);
    }

    /// <summary>Makes a new, empty store. Called at most once per test.</summary>
    protected abstract IBlobStore CreateStore();

    /// <summary>
    /// A second, independent store over the same storage as <see cref="CreateStore"/> made (another process would
    /// open it like this), or null when the backend has no such thing.
    /// </summary>
    protected virtual IBlobStore? CreateSecondStore() => null;

    protected IBlobStore Store => _store.Value;

    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    protected static BlobName Named(BlobKind kind, int seed)
    {
        var bytes = SHA256.HashData(BitConverter.GetBytes(seed * 31 + (int)kind));
        return new BlobName(kind, Convert.ToHexStringLower(bytes));
    }

    protected static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected async Task<List<BlobInfo>> ListAllAsync(BlobKind kind, IBlobStore? store = null)
    {
        var found = new List<BlobInfo>();
        await foreach (var blob in (store ?? Store).ListAsync(kind, Token))
        {
            found.Add(blob);
        }

        return found;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    [InlineData(5 * 1024 * 1024)]
    public async Task Put_then_get_returns_the_same_bytes(int length)
    {
        var name = Named(BlobKind.Pack, length);
        var content = RandomBytes(length, length);

        await Store.PutAsync(name, content, Token);

        Assert.Equal(content, await Store.GetAsync(name, Token));
    }

    [Fact]
    public async Task The_config_blob_round_trips_and_is_listed()
    {
        var content = RandomBytes(300, 1);

        await Store.PutAsync(BlobName.Config, content, Token);

        Assert.Equal(content, await Store.GetAsync(BlobName.Config, Token));
        Assert.Equal([new BlobInfo(BlobName.Config, 300)], await ListAllAsync(BlobKind.Config));
    }

    [Fact]
    public async Task Stored_bytes_cannot_be_changed_through_the_arrays_passed_in_or_out()
    {
        var name = Named(BlobKind.Index, 1);
        var content = RandomBytes(100, 2);
        var original = content.ToArray();

        await Store.PutAsync(name, content, Token);
        content[0] ^= 0xFF;
        var first = await Store.GetAsync(name, Token);
        first[1] ^= 0xFF;

        Assert.Equal(original, await Store.GetAsync(name, Token));
    }

    [Fact]
    public async Task Read_of_a_middle_range_returns_exactly_those_bytes()
    {
        var name = Named(BlobKind.Pack, 1);
        var content = RandomBytes(10_000, 3);
        await Store.PutAsync(name, content, Token);

        var buffer = new byte[1234];
        var read = await Store.ReadAsync(name, 4321, buffer, Token);

        Assert.Equal(1234, read);
        Assert.Equal(content.AsSpan(4321, 1234).ToArray(), buffer);
    }

    [Fact]
    public async Task Read_of_the_whole_blob_from_offset_zero_returns_it_all()
    {
        var name = Named(BlobKind.Pack, 2);
        var content = RandomBytes(777, 4);
        await Store.PutAsync(name, content, Token);

        var buffer = new byte[777];

        Assert.Equal(777, await Store.ReadAsync(name, 0, buffer, Token));
        Assert.Equal(content, buffer);
    }

    [Fact]
    public async Task Read_past_the_end_returns_only_the_bytes_that_exist()
    {
        var name = Named(BlobKind.Pack, 3);
        var content = RandomBytes(1000, 5);
        await Store.PutAsync(name, content, Token);

        var buffer = new byte[500];
        var read = await Store.ReadAsync(name, 900, buffer, Token);

        Assert.Equal(100, read);
        Assert.Equal(content.AsSpan(900).ToArray(), buffer.AsSpan(0, 100).ToArray());
        Assert.All(buffer.AsSpan(100).ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Read_exactly_at_the_end_returns_zero()
    {
        var name = Named(BlobKind.Pack, 4);
        await Store.PutAsync(name, RandomBytes(1000, 6), Token);

        Assert.Equal(0, await Store.ReadAsync(name, 1000, new byte[10], Token));
    }

    [Fact]
    public async Task Read_beyond_the_end_returns_zero()
    {
        var name = Named(BlobKind.Pack, 5);
        await Store.PutAsync(name, RandomBytes(1000, 7), Token);

        Assert.Equal(0, await Store.ReadAsync(name, 5000, new byte[10], Token));
    }

    [Fact]
    public async Task Read_into_an_empty_buffer_returns_zero()
    {
        var name = Named(BlobKind.Pack, 6);
        await Store.PutAsync(name, RandomBytes(10, 8), Token);

        Assert.Equal(0, await Store.ReadAsync(name, 3, Memory<byte>.Empty, Token));
    }

    [Fact]
    public async Task Read_at_a_negative_offset_is_refused()
    {
        var name = Named(BlobKind.Pack, 7);
        await Store.PutAsync(name, RandomBytes(10, 9), Token);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => Store.ReadAsync(name, -1, new byte[1], Token));
    }

    [Fact]
    public async Task Get_of_a_missing_blob_throws_BlobNotFound_naming_it()
    {
        var name = Named(BlobKind.Snapshot, 1);

        var error = await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.GetAsync(name, Token));

        Assert.Equal(name, error.Blob);
    }

    [Fact]
    public async Task Read_of_a_missing_blob_throws_BlobNotFound_naming_it()
    {
        var name = Named(BlobKind.Pack, 8);

        var error = await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.ReadAsync(name, 0, new byte[10], Token));

        Assert.Equal(name, error.Blob);
    }

    [Fact]
    public async Task Get_of_a_missing_config_throws_BlobNotFound()
    {
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.GetAsync(BlobName.Config, Token));
    }

    [Fact]
    public async Task Stat_of_a_present_blob_gives_its_name_and_length()
    {
        var name = Named(BlobKind.Key, 1);
        await Store.PutAsync(name, RandomBytes(321, 10), Token);

        Assert.Equal(new BlobInfo(name, 321), await Store.StatAsync(name, Token));
    }

    [Fact]
    public async Task Stat_of_an_empty_blob_gives_length_zero()
    {
        var name = Named(BlobKind.Lock, 1);
        await Store.PutAsync(name, ReadOnlyMemory<byte>.Empty, Token);

        Assert.Equal(new BlobInfo(name, 0), await Store.StatAsync(name, Token));
    }

    [Fact]
    public async Task Stat_of_a_missing_blob_is_null()
    {
        Assert.Null(await Store.StatAsync(Named(BlobKind.Key, 2), Token));
        Assert.Null(await Store.StatAsync(BlobName.Config, Token));
    }

    [Fact]
    public async Task An_empty_store_lists_nothing_of_any_kind()
    {
        foreach (var kind in Enum.GetValues<BlobKind>())
        {
            Assert.Empty(await ListAllAsync(kind));
        }
    }

    [Fact]
    public async Task Listing_each_kind_returns_exactly_the_blobs_of_that_kind()
    {
        var expected = new Dictionary<BlobKind, HashSet<BlobInfo>>();
        foreach (var kind in Enum.GetValues<BlobKind>())
        {
            expected[kind] = [];
        }

        async Task Put(BlobName name, int length)
        {
            await Store.PutAsync(name, RandomBytes(length, length), Token);
            expected[name.Kind].Add(new BlobInfo(name, length));
        }

        await Put(BlobName.Config, 50);
        for (var i = 0; i < 3; i++)
        {
            await Put(Named(BlobKind.Key, i), 10 + i);
            await Put(Named(BlobKind.Index, i), 20 + i);
            await Put(Named(BlobKind.Snapshot, i), 30 + i);
        }

        await Put(Named(BlobKind.Lock, 0), 0);
        await Put(Named(BlobKind.Lock, 1), 1);

        // Many packs, so that they spread over many prefix folders, plus two sharing one prefix.
        for (var i = 0; i < 60; i++)
        {
            await Put(Named(BlobKind.Pack, 100 + i), i);
        }

        await Put(new BlobName(BlobKind.Pack, "ab01"), 3);
        await Put(new BlobName(BlobKind.Pack, "ab02"), 4);

        // The same name under different kinds must be different blobs.
        await Put(new BlobName(BlobKind.Key, "ab01"), 5);

        foreach (var kind in Enum.GetValues<BlobKind>())
        {
            var listed = await ListAllAsync(kind);
            Assert.Equal(listed.Count, listed.Distinct().Count());
            Assert.Equal(expected[kind], listed.ToHashSet());
        }
    }

    [Fact]
    public async Task A_blob_is_visible_to_stat_and_list_as_soon_as_put_completes()
    {
        var name = Named(BlobKind.Snapshot, 2);

        await Store.PutAsync(name, RandomBytes(10, 11), Token);

        Assert.NotNull(await Store.StatAsync(name, Token));
        Assert.Contains(new BlobInfo(name, 10), await ListAllAsync(BlobKind.Snapshot));
    }

    [Fact]
    public async Task After_delete_the_blob_is_gone_from_every_view()
    {
        var name = Named(BlobKind.Pack, 9);
        var other = Named(BlobKind.Pack, 10);
        await Store.PutAsync(name, RandomBytes(100, 12), Token);
        await Store.PutAsync(other, RandomBytes(100, 13), Token);

        await Store.DeleteAsync(name, Token);

        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.GetAsync(name, Token));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.ReadAsync(name, 0, new byte[1], Token));
        Assert.Null(await Store.StatAsync(name, Token));
        Assert.Equal([new BlobInfo(other, 100)], await ListAllAsync(BlobKind.Pack));
    }

    [Fact]
    public async Task Deleting_a_missing_blob_is_not_an_error()
    {
        var name = Named(BlobKind.Lock, 2);

        await Store.DeleteAsync(name, Token);
        await Store.DeleteAsync(BlobName.Config, Token);
        await Store.PutAsync(name, RandomBytes(5, 14), Token);
        await Store.DeleteAsync(name, Token);
        await Store.DeleteAsync(name, Token);

        Assert.Null(await Store.StatAsync(name, Token));
    }

    [Fact]
    public async Task A_deleted_blob_can_be_put_again()
    {
        var name = Named(BlobKind.Index, 2);
        await Store.PutAsync(name, RandomBytes(10, 15), Token);
        await Store.DeleteAsync(name, Token);
        var again = RandomBytes(20, 16);

        await Store.PutAsync(name, again, Token);

        Assert.Equal(again, await Store.GetAsync(name, Token));
    }

    [Fact]
    public async Task Putting_an_existing_name_replaces_the_whole_blob()
    {
        var name = Named(BlobKind.Index, 3);
        await Store.PutAsync(name, RandomBytes(10_000, 17), Token);
        var replacement = RandomBytes(10, 18);

        await Store.PutAsync(name, replacement, Token);

        Assert.Equal(replacement, await Store.GetAsync(name, Token));
        Assert.Equal(new BlobInfo(name, 10), await Store.StatAsync(name, Token));
        Assert.Equal(0, await Store.ReadAsync(name, 10, new byte[100], Token));
        Assert.Equal([new BlobInfo(name, 10)], await ListAllAsync(BlobKind.Index));
    }

    [Fact]
    public async Task Concurrent_puts_from_several_tasks_all_land_intact()
    {
        const int Blobs = 50;
        var names = Enumerable.Range(0, Blobs).Select(i => Named(BlobKind.Pack, 1000 + i)).ToArray();
        var contents = Enumerable.Range(0, Blobs).Select(i => RandomBytes(1000 + i * 97, i)).ToArray();

        await Task.WhenAll(Enumerable.Range(0, 5).Select(worker => Task.Run(
            async () =>
            {
                for (var i = worker; i < Blobs; i += 5)
                {
                    await Store.PutAsync(names[i], contents[i], Token);
                }
            },
            Token)));

        for (var i = 0; i < Blobs; i++)
        {
            Assert.Equal(contents[i], await Store.GetAsync(names[i], Token));
        }

        var expected = names.Select((n, i) => new BlobInfo(n, contents[i].Length)).ToHashSet();
        Assert.Equal(expected, (await ListAllAsync(BlobKind.Pack)).ToHashSet());
    }

    [Fact]
    public async Task Concurrent_puts_of_the_same_content_under_one_name_leave_that_content()
    {
        var name = Named(BlobKind.Pack, 11);
        var content = RandomBytes(64 * 1024, 19);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store.PutAsync(name, content, Token), Token)));

        Assert.Equal(content, await Store.GetAsync(name, Token));
        Assert.Single(await ListAllAsync(BlobKind.Pack));
    }

    [Fact]
    public async Task Readers_during_replacement_see_one_whole_version_or_the_other()
    {
        var name = Named(BlobKind.Index, 4);
        var first = RandomBytes(200_000, 20);
        var second = RandomBytes(100_000, 21);
        await Store.PutAsync(name, first, Token);

        var writer = Task.Run(
            async () =>
            {
                for (var i = 0; i < 10; i++)
                {
                    await Store.PutAsync(name, i % 2 == 0 ? second : first, Token);
                }
            },
            Token);
        while (!writer.IsCompleted)
        {
            var seen = await Store.GetAsync(name, Token);
            Assert.True(seen.AsSpan().SequenceEqual(first) || seen.AsSpan().SequenceEqual(second), "a reader saw a mixed or partial blob");
        }

        await writer;
    }

    [Fact]
    public async Task A_staged_put_is_invisible_until_committed_and_then_holds_every_piece_in_order()
    {
        var name = Named(BlobKind.Pack, 20);
        var content = RandomBytes(300_000, 30);
        using var staged = Store.BeginPut(BlobKind.Pack);
        staged.Write(content.AsSpan(0, 1));
        staged.Write(content.AsSpan(1, 99_999));
        staged.Write([]);
        staged.Write(content.AsSpan(100_000));

        Assert.Equal(content.Length, staged.Length);
        Assert.Null(await Store.StatAsync(name, Token));
        Assert.Empty(await ListAllAsync(BlobKind.Pack));

        await staged.CommitAsync(name, Token);

        Assert.Equal(content, await Store.GetAsync(name, Token));
        Assert.Equal([new BlobInfo(name, content.Length)], await ListAllAsync(BlobKind.Pack));
    }

    [Fact]
    public async Task A_staged_put_of_every_kind_commits_under_its_name()
    {
        foreach (var kind in Enum.GetValues<BlobKind>())
        {
            var name = kind == BlobKind.Config ? BlobName.Config : Named(kind, 21);
            var content = RandomBytes(100 + (int)kind, 31 + (int)kind);
            using var staged = Store.BeginPut(kind);
            staged.Write(content);

            await staged.CommitAsync(name, Token);

            Assert.Equal(content, await Store.GetAsync(name, Token));
        }
    }

    [Fact]
    public async Task An_empty_staged_put_commits_an_empty_blob()
    {
        var name = Named(BlobKind.Lock, 22);
        using var staged = Store.BeginPut(BlobKind.Lock);

        await staged.CommitAsync(name, Token);

        Assert.Equal(new BlobInfo(name, 0), await Store.StatAsync(name, Token));
    }

    [Fact]
    public async Task An_abandoned_staged_put_leaves_nothing()
    {
        var staged = Store.BeginPut(BlobKind.Pack);
        staged.Write(RandomBytes(10_000, 32));

        staged.Dispose();
        staged.Dispose();

        Assert.Empty(await ListAllAsync(BlobKind.Pack));
        Assert.Throws<InvalidOperationException>(() => staged.Write(new byte[1]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => staged.CommitAsync(Named(BlobKind.Pack, 23), Token));
        Assert.Empty(await ListAllAsync(BlobKind.Pack));
    }

    [Fact]
    public async Task Committing_a_staged_put_under_an_existing_name_replaces_the_whole_blob()
    {
        var name = Named(BlobKind.Pack, 24);
        await Store.PutAsync(name, RandomBytes(10_000, 33), Token);
        var replacement = RandomBytes(10, 34);
        using var staged = Store.BeginPut(BlobKind.Pack);
        staged.Write(replacement);

        await staged.CommitAsync(name, Token);

        Assert.Equal(replacement, await Store.GetAsync(name, Token));
        Assert.Equal([new BlobInfo(name, 10)], await ListAllAsync(BlobKind.Pack));
    }

    [Fact]
    public async Task A_staged_put_is_done_once_committed()
    {
        var name = Named(BlobKind.Index, 25);
        using var staged = Store.BeginPut(BlobKind.Index);
        staged.Write(RandomBytes(50, 35));
        await staged.CommitAsync(name, Token);

        Assert.Throws<InvalidOperationException>(() => staged.Write(new byte[1]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => staged.CommitAsync(Named(BlobKind.Index, 26), Token));
        staged.Dispose();

        Assert.Equal([new BlobInfo(name, 50)], await ListAllAsync(BlobKind.Index));
    }

    [Fact]
    public async Task A_staged_put_is_committed_only_under_a_name_of_its_kind()
    {
        using var staged = Store.BeginPut(BlobKind.Pack);
        staged.Write(RandomBytes(50, 36));

        await Assert.ThrowsAsync<ArgumentException>(() => staged.CommitAsync(Named(BlobKind.Index, 27), Token));

        Assert.Empty(await ListAllAsync(BlobKind.Index));
        Assert.Empty(await ListAllAsync(BlobKind.Pack));
    }

    [Fact]
    public async Task A_staged_put_whose_commit_is_cancelled_stores_nothing()
    {
        var name = Named(BlobKind.Pack, 28);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        using var staged = Store.BeginPut(BlobKind.Pack);
        staged.Write(RandomBytes(500, 37));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => staged.CommitAsync(name, cancelled.Token));

        Assert.Null(await Store.StatAsync(name, Token));
        Assert.Empty(await ListAllAsync(BlobKind.Pack));
    }

    [Fact]
    public async Task Concurrent_staged_puts_do_not_mix()
    {
        const int Puts = 8;
        var names = Enumerable.Range(0, Puts).Select(i => Named(BlobKind.Pack, 2000 + i)).ToArray();
        var contents = Enumerable.Range(0, Puts).Select(i => RandomBytes(50_000 + i, 40 + i)).ToArray();

        await Task.WhenAll(Enumerable.Range(0, Puts).Select(i => Task.Run(
            async () =>
            {
                using var staged = Store.BeginPut(BlobKind.Pack);
                for (var offset = 0; offset < contents[i].Length; offset += 4096)
                {
                    staged.Write(contents[i].AsSpan(offset, Math.Min(4096, contents[i].Length - offset)));
                    await Task.Yield();
                }

                await staged.CommitAsync(names[i], Token);
            },
            Token)));

        for (var i = 0; i < Puts; i++)
        {
            Assert.Equal(contents[i], await Store.GetAsync(names[i], Token));
        }
    }

    [Fact]
    public async Task A_cancelled_token_is_honoured_by_every_operation()
    {
        var name = Named(BlobKind.Pack, 12);
        var other = Named(BlobKind.Pack, 13);
        await Store.PutAsync(name, RandomBytes(100, 22), Token);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var token = cancelled.Token;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.PutAsync(other, RandomBytes(100, 23), token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.GetAsync(name, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.ReadAsync(name, 0, new byte[10], token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.StatAsync(name, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Store.DeleteAsync(name, token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var unused in Store.ListAsync(BlobKind.Pack, token))
            {
            }
        });

        // A cancelled put stores nothing and a cancelled delete removes nothing.
        Assert.Null(await Store.StatAsync(other, Token));
        Assert.NotNull(await Store.StatAsync(name, Token));
    }

    [Fact]
    public void Location_is_not_empty()
    {
        Assert.False(string.IsNullOrWhiteSpace(Store.Location));
    }

    [Fact]
    public async Task A_second_instance_over_the_same_storage_sees_puts_and_deletes()
    {
        var second = CreateSecondStore();
        if (second is null)
        {
            Assert.Skip("this backend has no second instance over the same storage");
        }

        var name = Named(BlobKind.Snapshot, 3);
        var content = RandomBytes(1234, 24);

        await Store.PutAsync(name, content, Token);
        Assert.Equal(content, await second.GetAsync(name, Token));
        Assert.Equal(new BlobInfo(name, 1234), await second.StatAsync(name, Token));
        Assert.Equal([new BlobInfo(name, 1234)], await ListAllAsync(BlobKind.Snapshot, second));

        await second.DeleteAsync(name, Token);
        Assert.Null(await Store.StatAsync(name, Token));
        await Assert.ThrowsAsync<BlobNotFoundException>(() => Store.GetAsync(name, Token));
    }
}
