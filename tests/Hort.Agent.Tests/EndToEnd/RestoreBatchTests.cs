using Hort.Core;
using Hort.Protocol;
using Hort.Repository.Format;
using Hort.Storage;

namespace Hort.Agent.Tests.EndToEnd;

/// <summary>
/// A restore through the real hortd reads its chunks in batches (protocol.md §8): many small files and a file larger
/// than one read request come back byte-identical, and a chunk damaged on the server is reported for its file while
/// every other file is still restored.
/// </summary>
[Trait("Category", "EndToEnd")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class RestoreBatchTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hort-restore-batch-").FullName;
    private AgentProcess? _agent;
    private Hortd _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await Hortd.StartAsync(Path.Combine(_root, "server"));

    public async ValueTask DisposeAsync()
    {
        if (_agent is not null) await _agent.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_root, true);
    }

    private string Diagnostics() => "server:\n" + _server.Output + "\nagent:\n" + _agent?.Output;

    [Fact]
    public async Task Many_files_come_back_in_batches_and_a_chunk_damaged_on_the_server_costs_only_its_file()
    {
        var source = SourceTree.Create(Path.Combine(_root, "data"), 0);
        // 1,200 small files in 12 folders: more than two of the restore's batches of 512 files.
        for (var folder = 0; folder < 12; folder++)
        {
            var dir = Directory.CreateDirectory(Path.Combine(source, "notes", $"folder-{folder}")).FullName;
            for (var i = 0; i < 100; i++)
            {
                File.WriteAllText(Path.Combine(dir, $"note-{i}.txt"), $"note {i} of folder {folder}\n" + new string((char)('a' + (i % 26)), i * 37));
            }
        }

        // More than the agent asks for in one read request (32 MiB).
        File.WriteAllBytes(Path.Combine(source, "large.bin"), SourceTree.Random(40 << 20, 7));

        _agent = new AgentProcess(Path.Combine(_root, "state"));
        await _agent.EnrollAsync(_server, await _server.EnrollmentCodeAsync("desk"));
        await _server.SetPolicyAsync(_agent.PcId, Hortd.Always(source));
        _agent.Start();
        var snapshot = (await _server.WaitForSnapshotsAsync(_agent.PcId, 1, Diagnostics))[0];

        var whole = Path.Combine(_root, "whole");
        var done = await RestoreAsync(snapshot, whole);
        Assert.True(done.State == JobValues.Succeeded, $"restore job: {done.State} {done.Message}\n{Diagnostics()}");
        SourceTree.AssertSame(source, whole + source);

        // One byte of a letter's stored chunk flipped on the server: the server cannot decrypt it and says so.
        var letter = Path.Combine(source, "docs", "letters", "letter-3.txt");
        using (var repository = await _server.OpenRepositoryAsync())
        {
            var location = repository.LocateBlob(BlobType.Data, repository.Key.ComputeChunkId(await File.ReadAllBytesAsync(letter, Ct)));
            var pack = new LocalDirectoryBlobStore(_server.RepositoryPath).PathOf(BlobName.For(BlobKind.Pack, location.PackId));
            await using var stream = File.Open(pack, FileMode.Open, FileAccess.ReadWrite);
            stream.Position = location.Entry.Offset + (location.Entry.StoredLength / 2);
            var b = stream.ReadByte();
            stream.Position--;
            stream.WriteByte((byte)(b ^ 0xff));
        }

        var damaged = Path.Combine(_root, "damaged");
        done = await RestoreAsync(snapshot, damaged);
        Assert.True(done.State == JobValues.Failed, $"restore job: {done.State} {done.Message}\n{Diagnostics()}");
        var log = await _server.JobLogAsync(done.Id);
        var warning = Assert.Single(log, e => e.Level == "warning");
        Assert.Contains("letter-3.txt", warning.Message, StringComparison.Ordinal);
        Assert.Contains("cannot be read on the server", warning.Message, StringComparison.Ordinal);

        // Everything but that letter is there and identical.
        File.Delete(letter);
        File.Delete(damaged + letter);
        SourceTree.AssertSame(source, damaged + source);
    }

    private async Task<JobDto> RestoreAsync(SnapshotDto snapshot, string target)
    {
        var job = await _server.SendAsync(HttpMethod.Post, Routes.Format(Routes.PcRestores, _agent!.PcId),
            new RestoreRequest(snapshot.Id, null, target), ProtocolJson.Default.RestoreRequest, ProtocolJson.Default.JobDto);
        return await _server.WaitForJobAsync(job.Id, Diagnostics);
    }
}
