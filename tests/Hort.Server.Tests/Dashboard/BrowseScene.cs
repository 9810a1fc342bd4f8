using System.Security.Cryptography;
using System.Text;
using Hort.Engine.Backup;
using Hort.Protocol;
using Hort.Repository;
using Hort.Server.Catalog;
using Hort.Server.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Hort.Server.Tests.Dashboard;

/// <summary>
/// A real hortd with two enrolled PCs and real snapshots of a real folder, saved as an agent's backup would be (the
/// archiver over the served repository, tagged and cataloged for the PC): desk-1 has two snapshots, desk-2 one.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class BrowseScene : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static readonly DateTimeOffset LetterTime = new(2024, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private BrowseScene(TestServer server, ManualClock clock, string source)
    {
        Server = server;
        Clock = clock;
        Source = source;
    }

    public TestServer Server { get; }

    public ManualClock Clock { get; }

    /// <summary>The backed-up folder; in a snapshot it appears under its own absolute path.</summary>
    public string Source { get; }

    public HttpClient Admin { get; private set; } = null!;

    public EnrollResponse Pc1 { get; private set; } = null!;

    public EnrollResponse Pc2 { get; private set; } = null!;

    /// <summary>desk-1's older and newer snapshot, and desk-2's.</summary>
    public string Older { get; private set; } = "";

    public string Newer { get; private set; } = "";

    public string Other { get; private set; } = "";

    /// <summary>The content of docs/big.bin: several chunks.</summary>
    public byte[] Big { get; } = RandomNumberGenerator.GetBytes(4 * 1024 * 1024 + 12345);

    public T Service<T>() where T : notnull => Server.Host.Services.GetRequiredService<T>();

    /// <summary>Where a file of the source folder appears in a snapshot.</summary>
    public string PathOf(string relative) => Source + "/" + relative;

    public static async Task<BrowseScene> StartAsync()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 3, 2, 8, 0, 0, TimeSpan.Zero));
        var server = await TestServer.StartAsync(time: clock);
        var scene = new BrowseScene(server, clock, Directory.CreateTempSubdirectory("hort-browse-").FullName);
        try
        {
            await scene.BuildAsync();
            return scene;
        }
        catch
        {
            await scene.DisposeAsync();
            throw;
        }
    }

    private async Task BuildAsync()
    {
        Admin = await Server.AdminAsync();
        (Pc1, _) = await Server.EnrollAsync(Admin, "desk-1");
        (Pc2, _) = await Server.EnrollAsync(Admin, "desk-2");

        Write("docs/letter.txt", "Dear Anna, the first draft.", 0b110_100_000, LetterTime);
        Write("docs/Report-2025.PDF", "%PDF report", 0b110_100_100, LetterTime.AddDays(1));
        Write("docs/empty.txt", "", 0b110_100_100, LetterTime);
        Write("docs/sub/deep/notes.md", "# notes\n", 0b110_100_100, LetterTime.AddDays(2));
        Write("photos/cat.jpg", Encoding.Latin1.GetString(RandomNumberGenerator.GetBytes(10_000)), 0b110_100_100, LetterTime);
        Write("script.sh", "#!/bin/sh\necho hi\n", 0b111_101_101, LetterTime);
        File.WriteAllBytes(Path.Combine(Source, "docs/big.bin"), Big);
        File.CreateSymbolicLink(Path.Combine(Source, "docs/link"), "letter.txt");
        Older = await BackupAsync(Pc1.PcId, "desk-1");

        Clock.Advance(TimeSpan.FromDays(1));
        Write("docs/letter.txt", "Dear Anna, the second draft, longer.", 0b110_100_000, LetterTime.AddDays(5));
        File.SetLastWriteTimeUtc(Path.Combine(Source, "docs/Report-2025.PDF"), LetterTime.AddDays(6).UtcDateTime);
        Write("docs/new.txt", "added later", 0b110_100_100, LetterTime.AddDays(6));
        Newer = await BackupAsync(Pc1.PcId, "desk-1");

        Clock.Advance(TimeSpan.FromHours(1));
        Other = await BackupAsync(Pc2.PcId, "desk-2");
    }

    private void Write(string relative, string text, int mode, DateTimeOffset modified)
    {
        var path = Path.Combine(Source, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
        File.SetLastWriteTimeUtc(path, modified.UtcDateTime);
    }

    /// <summary>Backs up the source folder for the PC as its agent's session would commit it.</summary>
    private async Task<string> BackupAsync(string pcId, string hostname)
    {
        var options = new BackupOptions { Paths = [Source], Hostname = hostname, Tags = [BackupSessions.PcTagPrefix + pcId], Parallelism = 2 };
        var result = await new Archiver(Service<HortRepository>(), options).RunAsync(Ct);
        Assert.Empty(result.Issues);
        await Service<ServerCatalog>().AddSnapshotAsync(BackupSessions.ToDto(result.SnapshotId, pcId, result.Snapshot), Ct);
        return result.SnapshotId.ToString();
    }

    /// <summary>Flips a byte inside the stored chunk <paramref name="chunk"/>, as disk damage would.</summary>
    public void Damage(Hort.Core.ObjectId chunk)
    {
        var location = Service<HortRepository>().LocateBlob(Hort.Repository.Format.BlobType.Data, chunk);
        var pack = Path.Combine(Server.Options.ResolvedRepositoryPath, Hort.Storage.BlobName.For(Hort.Storage.BlobKind.Pack, location.PackId).ToString());
        File.SetUnixFileMode(pack, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var file = File.OpenHandle(pack, FileMode.Open, FileAccess.ReadWrite);
        var offset = (long)location.Entry.Offset + 20;
        var b = new byte[1];
        RandomAccess.Read(file, b, offset);
        b[0] ^= 0x5A;
        RandomAccess.Write(file, b, offset);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Source, recursive: true);
    }
}
