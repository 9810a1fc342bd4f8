using System.Text;
using Hort.Repository;
using Hort.Repository.Format;
using Hort.Server.Sessions;
using Hort.Storage;

namespace Hort.Server.Tests;

public sealed class SessionWritersTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task An_idle_sessions_uploads_become_durable_and_its_writer_is_released()
    {
        var ct = TestContext.Current.CancellationToken;
        var time = new ManualTime();
        using var repository = await HortRepository.InitAsync(new InMemoryBlobStore(), "pw",
            new RepositoryInitOptions { KeyCost = new KeyDerivationCost(1, 64 * 1024) }, time, ct);
        await using var writers = new SessionWriters(repository, time);
        var data = Encoding.UTF8.GetBytes("queued but not yet in a pack");
        var id = repository.ComputeId(data);
        await writers.For("s1").SaveAsync(BlobType.Data, id, data, ct);
        Assert.True(writers.IsStoredOrQueued("s1", id));
        Assert.False(repository.Index.Contains(id));

        time.Now += TimeSpan.FromMinutes(5);
        Assert.Equal(0, await writers.ReleaseIdleAsync(ct));
        time.Now += SessionWriters.IdleAfter;
        Assert.Equal(1, await writers.ReleaseIdleAsync(ct));
        Assert.True(repository.Index.Contains(id));
        Assert.Equal(0, await writers.ReleaseIdleAsync(ct));
    }
}
