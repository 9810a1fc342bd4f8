using System.Diagnostics;
using Hort.Core;

namespace Hort.Storage.Tests;

public sealed class LocalDirectoryBlobStoreTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    private string Root => Path.Combine(_directory.Path, "repo");

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    private static BlobName Pack(string name) => new(BlobKind.Pack, name);

    private static string Hash(int seed) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(seed)));

    private string[] TemporaryFilesOnDisk() =>
        Directory.EnumerateFiles(Root, LocalDirectoryBlobStore.TemporaryPrefix + "*", SearchOption.AllDirectories).ToArray();

    private static async Task<List<BlobInfo>> ListAllAsync(IBlobStore store, BlobKind kind)
    {
        var found = new List<BlobInfo>();
        await foreach (var blob in store.ListAsync(kind, Token))
        {
            found.Add(blob);
        }

        return found;
    }

    [Fact]
    public void Create_makes_the_root_and_a_folder_per_kind()
    {
        var before = new LocalDirectoryBlobStore(Root);
        Assert.False(before.RootExists);

        var store = LocalDirectoryBlobStore.Create(Root);

        Assert.True(store.RootExists);
        Assert.True(new LocalDirectoryBlobStore(Root).RootExists);
        foreach (var folder in new[] { "keys", "data", "index", "snapshots", "locks" })
        {
            Assert.True(Directory.Exists(Path.Combine(Root, folder)), folder);
        }
    }

    [Fact]
    public void Create_over_an_existing_repository_keeps_its_contents()
    {
        LocalDirectoryBlobStore.Create(Root);
        File.WriteAllBytes(Path.Combine(Root, "config"), [1, 2, 3]);

        LocalDirectoryBlobStore.Create(Root);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(Root, "config")));
    }

    [Fact]
    public async Task Blobs_are_laid_out_on_disk_as_their_names_say()
    {
        var store = LocalDirectoryBlobStore.Create(Root);
        var id = Hash(1);
        var expected = new Dictionary<BlobName, string>
        {
            [BlobName.Config] = "config",
            [new BlobName(BlobKind.Key, id)] = $"keys/{id}",
            [Pack(id)] = $"data/{id[..2]}/{id}",
            [new BlobName(BlobKind.Index, id)] = $"index/{id}",
            [new BlobName(BlobKind.Snapshot, id)] = $"snapshots/{id}",
            [new BlobName(BlobKind.Lock, id)] = $"locks/{id}",
        };

        var i = 0;
        foreach (var name in expected.Keys)
        {
            await store.PutAsync(name, new byte[] { (byte)i++, 42 }, Token);
        }

        i = 0;
        foreach (var (name, relative) in expected)
        {
            var path = Path.Combine(Root, relative);
            Assert.Equal(path, store.PathOf(name));
            Assert.Equal(new byte[] { (byte)i++, 42 }, File.ReadAllBytes(path));
        }

        Assert.Empty(TemporaryFilesOnDisk());
    }

    [Fact]
    public async Task Blob_files_are_private_to_the_owner()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix permissions only");
            return;
        }

        var store = LocalDirectoryBlobStore.Create(Root);
        var name = Pack(Hash(2));

        await store.PutAsync(name, new byte[] { 1 }, Token);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.PathOf(name)));
        var prefixFolder = Path.GetDirectoryName(store.PathOf(name))!;
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(prefixFolder) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.OtherRead));
    }

    [Fact]
    public async Task Leftover_temporary_files_and_strays_are_not_listed()
    {
        var store = LocalDirectoryBlobStore.Create(Root);
        var pack = Pack(Hash(3));
        var key = new BlobName(BlobKind.Key, Hash(4));
        await store.PutAsync(pack, new byte[10], Token);
        await store.PutAsync(key, new byte[20], Token);
        var prefix = Path.Combine(Root, "data", pack.Name[..2]);

        File.WriteAllBytes(Path.Combine(prefix, ".tmp-0123abcd"), new byte[5]);
        File.WriteAllBytes(Path.Combine(Root, "keys", ".tmp-" + Hash(5)), new byte[5]);
        File.WriteAllBytes(Path.Combine(Root, "keys", "README"), new byte[5]);
        File.WriteAllBytes(Path.Combine(Root, "keys", Hash(6).ToUpperInvariant()), new byte[5]);
        Directory.CreateDirectory(Path.Combine(Root, "keys", Hash(7)));
        File.WriteAllBytes(Path.Combine(Root, ".tmp-config"), new byte[5]);

        // A pack filed under the wrong prefix, and a folder that is no prefix at all.
        var misfiled = pack.Name[..2] == "00" ? "ff" + Hash(8)[2..] : "00" + Hash(8)[2..];
        File.WriteAllBytes(Path.Combine(prefix, misfiled), new byte[5]);
        Directory.CreateDirectory(Path.Combine(Root, "data", "zz"));
        File.WriteAllBytes(Path.Combine(Root, "data", "zz", "zz" + Hash(9)[2..]), new byte[5]);

        Assert.Equal([new BlobInfo(pack, 10)], await ListAllAsync(store, BlobKind.Pack));
        Assert.Equal([new BlobInfo(key, 20)], await ListAllAsync(store, BlobKind.Key));
        Assert.Empty(await ListAllAsync(store, BlobKind.Config));
    }

    [Fact]
    public async Task Cleaning_removes_only_temporary_files_older_than_asked()
    {
        var store = LocalDirectoryBlobStore.Create(Root);
        var pack = Pack(Hash(10));
        await store.PutAsync(pack, new byte[10], Token);
        var prefix = Path.GetDirectoryName(store.PathOf(pack))!;
        var oldInData = Path.Combine(prefix, ".tmp-old");
        var oldInIndex = Path.Combine(Root, "index", ".tmp-old");
        var young = Path.Combine(prefix, ".tmp-young");
        foreach (var path in new[] { oldInData, oldInIndex, young })
        {
            File.WriteAllBytes(path, new byte[3]);
        }

        File.SetLastWriteTimeUtc(oldInData, DateTime.UtcNow.AddHours(-3));
        File.SetLastWriteTimeUtc(oldInIndex, DateTime.UtcNow.AddHours(-3));

        var removed = store.CleanTemporaryFiles(TimeSpan.FromHours(1));

        Assert.Equal(2, removed);
        Assert.False(File.Exists(oldInData));
        Assert.False(File.Exists(oldInIndex));
        Assert.True(File.Exists(young));
        Assert.Equal(new byte[10], await store.GetAsync(pack, Token));
    }

    [Fact]
    public async Task Cleaning_reaches_every_kind_folder_including_the_server_state()
    {
        var store = LocalDirectoryBlobStore.Create(Root);
        await store.PutAsync(new BlobName(BlobKind.ServerState, Hash(1)), new byte[4], Token);
        var leftover = Path.Combine(Root, "server", ".tmp-old");
        File.WriteAllBytes(leftover, new byte[3]);
        File.SetLastWriteTimeUtc(leftover, DateTime.UtcNow.AddHours(-3));

        Assert.Equal(1, await store.CleanTemporaryFilesAsync(TimeSpan.FromHours(1), Token));
        Assert.False(File.Exists(leftover));
        Assert.Single(await ListAllAsync(store, BlobKind.ServerState));
    }

    [Fact]
    public void Cleaning_ages_files_by_the_injected_clock()
    {
        LocalDirectoryBlobStore.Create(Root);
        var leftover = Path.Combine(Root, "locks", ".tmp-1");
        File.WriteAllBytes(leftover, new byte[3]);

        var now = new LocalDirectoryBlobStore(Root);
        Assert.Equal(0, now.CleanTemporaryFiles(TimeSpan.FromMinutes(30)));
        Assert.True(File.Exists(leftover));

        var later = new LocalDirectoryBlobStore(Root, new FixedClock(DateTimeOffset.UtcNow.AddHours(2)));
        Assert.Equal(1, later.CleanTemporaryFiles(TimeSpan.FromMinutes(30)));
        Assert.False(File.Exists(leftover));
    }

    [Fact]
    public async Task A_put_whose_folder_cannot_be_created_fails_clearly_and_leaves_nothing()
    {
        var store = LocalDirectoryBlobStore.Create(Root);
        var name = Pack("ab" + Hash(11)[2..]);

        // A regular file where the prefix folder should go makes creating that folder fail, even for root.
        File.WriteAllBytes(Path.Combine(Root, "data", "ab"), []);

        var error = await Assert.ThrowsAsync<IOException>(() => store.PutAsync(name, new byte[100], Token));

        Assert.Contains(name.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Null(await store.StatAsync(name, Token));
        Assert.Empty(TemporaryFilesOnDisk());
        Assert.Empty(await ListAllAsync(store, BlobKind.Pack));
    }

    [Fact]
    public async Task A_put_into_a_missing_repository_fails_and_does_not_create_it()
    {
        var store = new LocalDirectoryBlobStore(Root);

        await Assert.ThrowsAsync<RepositoryNotFoundException>(() => store.PutAsync(BlobName.Config, new byte[1], Token));
        await Assert.ThrowsAsync<RepositoryNotFoundException>(() => ListAllAsync(store, BlobKind.Key));

        Assert.False(Directory.Exists(Root));
    }

    [Fact]
    public async Task Kind_folders_missing_from_an_existing_root_are_created_on_put()
    {
        Directory.CreateDirectory(Root);
        var store = new LocalDirectoryBlobStore(Root);
        var name = Pack(Hash(12));

        Assert.Empty(await ListAllAsync(store, BlobKind.Pack));
        await store.PutAsync(name, new byte[] { 7 }, Token);

        Assert.Equal(new byte[] { 7 }, await store.GetAsync(name, Token));
    }

    [Theory]
    [InlineData(28, true)]
    [InlineData(122, true)]
    [InlineData(5, false)]
    [InlineData(13, false)]
    public void Disk_full_is_recognised_by_errno(int errno, bool full)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "errno values are Unix ones");
        Assert.Equal(full, LocalDirectoryBlobStore.IsDiskFull(new IOException("write failed", errno)));
    }

    [Fact]
    public async Task A_full_device_raises_StorageFull_and_keeps_earlier_blobs()
    {
        using var device = SmallDeviceOrSkip("size=256k");
        var root = Path.Combine(device.Path, "repo");
        var store = LocalDirectoryBlobStore.Create(root);
        var kept = Pack(Hash(13));
        await store.PutAsync(kept, new byte[64 * 1024], Token);
        var tooBig = Pack(Hash(14));

        await Assert.ThrowsAsync<StorageFullException>(() => store.PutAsync(tooBig, new byte[1024 * 1024], Token));

        Assert.Null(await store.StatAsync(tooBig, Token));
        Assert.Equal(new byte[64 * 1024], await store.GetAsync(kept, Token));
        Assert.Empty(Directory.EnumerateFiles(root, ".tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_staged_pack_is_a_private_temporary_file_in_the_data_folder_until_committed()
    {
        var store = LocalDirectoryBlobStore.Create(Root);
        var name = Pack(Hash(15));
        using var staged = store.BeginPut(BlobKind.Pack);
        staged.Write(new byte[] { 1, 2, 3 });

        var temporary = Assert.Single(TemporaryFilesOnDisk());
        Assert.Equal(Path.Combine(Root, "data"), Path.GetDirectoryName(temporary));
        Assert.Equal(3, new FileInfo(temporary).Length);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temporary));
        }

        await staged.CommitAsync(name, Token);

        Assert.Empty(TemporaryFilesOnDisk());
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(Path.Combine(Root, "data", name.Name[..2], name.Name)));
    }

    [Fact]
    public async Task An_abandoned_staged_put_removes_its_temporary_file()
    {
        var store = LocalDirectoryBlobStore.Create(Root);
        var staged = store.BeginPut(BlobKind.Index);
        staged.Write(new byte[1000]);
        Assert.Single(TemporaryFilesOnDisk());

        staged.Dispose();

        Assert.Empty(TemporaryFilesOnDisk());
        Assert.Empty(await ListAllAsync(store, BlobKind.Index));
    }

    [Fact]
    public async Task A_staged_put_whose_folder_cannot_be_created_fails_clearly_and_leaves_nothing()
    {
        var store = LocalDirectoryBlobStore.Create(Root);
        var name = Pack("ab" + Hash(16)[2..]);
        File.WriteAllBytes(Path.Combine(Root, "data", "ab"), []);
        using var staged = store.BeginPut(BlobKind.Pack);
        staged.Write(new byte[100]);

        var error = await Assert.ThrowsAsync<IOException>(() => staged.CommitAsync(name, Token));

        Assert.Contains(name.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Empty(TemporaryFilesOnDisk());
        Assert.Empty(await ListAllAsync(store, BlobKind.Pack));
    }

    [Fact]
    public void A_staged_put_into_a_missing_repository_fails_and_does_not_create_it()
    {
        var store = new LocalDirectoryBlobStore(Root);

        Assert.Throws<RepositoryNotFoundException>(() => store.BeginPut(BlobKind.Pack));

        Assert.False(Directory.Exists(Root));
    }

    [Fact]
    public async Task Cleaning_removes_the_staged_files_of_a_writer_that_died()
    {
        var store = LocalDirectoryBlobStore.Create(Root);

        // A writer killed while filling a pack never disposes its staged put; a live one is younger than the cut-off.
        var dead = store.BeginPut(BlobKind.Pack);
        dead.Write(new byte[10]);
        var deadFile = Assert.Single(TemporaryFilesOnDisk());
        File.SetLastWriteTimeUtc(deadFile, DateTime.UtcNow.AddHours(-3));
        using var live = store.BeginPut(BlobKind.Pack);
        live.Write(new byte[10]);

        Assert.Equal(1, store.CleanTemporaryFiles(TimeSpan.FromHours(1)));

        var left = Assert.Single(TemporaryFilesOnDisk());
        Assert.NotEqual(deadFile, left);
        await live.CommitAsync(Pack(Hash(17)), Token);
        Assert.Equal(new byte[10], await store.GetAsync(Pack(Hash(17)), Token));
        Assert.Empty(TemporaryFilesOnDisk());
        dead.Dispose();
    }

    [Fact]
    public async Task A_device_that_fills_during_a_staged_put_raises_StorageFull_and_leaves_nothing()
    {
        using var device = SmallDeviceOrSkip("size=256k");
        var root = Path.Combine(device.Path, "repo");
        var store = LocalDirectoryBlobStore.Create(root);
        var staged = store.BeginPut(BlobKind.Pack);
        staged.Write(new byte[64 * 1024]);

        Assert.Throws<StorageFullException>(() => staged.Write(new byte[1024 * 1024]));

        Assert.Empty(Directory.EnumerateFiles(root, ".tmp-*", SearchOption.AllDirectories));
        Assert.Throws<InvalidOperationException>(() => staged.Write(new byte[1]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => staged.CommitAsync(Pack(Hash(18)), Token));
        staged.Dispose();
        Assert.Empty(await ListAllAsync(store, BlobKind.Pack));

        // The space is free again for the next put.
        await store.PutAsync(Pack(Hash(19)), new byte[128 * 1024], Token);
    }

    [Fact]
    public async Task A_device_that_fills_before_a_staged_put_is_committed_raises_StorageFull_and_leaves_nothing()
    {
        // Out of inodes rather than blocks: the staged file exists, but its pack's data/xx folder cannot be created.
        using var device = SmallDeviceOrSkip("size=1m,nr_inodes=32");
        var root = Path.Combine(device.Path, "repo");
        var store = LocalDirectoryBlobStore.Create(root);
        var name = Pack(Hash(20));
        using var staged = store.BeginPut(BlobKind.Pack);
        staged.Write(new byte[1000]);
        var filler = Path.Combine(device.Path, "filler");
        Directory.CreateDirectory(filler);
        for (var i = 0; ; i++)
        {
            try
            {
                File.WriteAllBytes(Path.Combine(filler, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), []);
            }
            catch (IOException e) when (LocalDirectoryBlobStore.IsDiskFull(e))
            {
                break;
            }
        }

        await Assert.ThrowsAsync<StorageFullException>(() => staged.CommitAsync(name, Token));

        Assert.Null(await store.StatAsync(name, Token));
        Assert.Empty(Directory.EnumerateFiles(root, ".tmp-*", SearchOption.AllDirectories));
    }

    /// <summary>A tiny tmpfs for this test (tmpfs mount options, e.g. <c>size=256k</c>); skips the test where none can be mounted.</summary>
    private SmallDevice SmallDeviceOrSkip(string options)
    {
        var device = SmallDevice.TryMount(Path.Combine(_directory.Path, "small"), options);
        if (device is null)
        {
            Assert.Skip("cannot mount a small tmpfs here (needs root on Linux)");
        }

        return device;
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A tiny tmpfs, so a test can fill a device without filling the machine's disk.</summary>
    private sealed class SmallDevice : IDisposable
    {
        private SmallDevice(string path) => Path = path;

        public string Path { get; }

        public static SmallDevice? TryMount(string path, string options)
        {
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            {
                return null;
            }

            Directory.CreateDirectory(path);
            return Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", path) ? new SmallDevice(path) : null;
        }

        public void Dispose()
        {
            if (!Run("umount", Path))
            {
                throw new InvalidOperationException($"could not unmount the test device at {Path}");
            }
        }

        private static bool Run(string program, params string[] arguments)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            try
            {
                using var process = Process.Start(start)!;
                process.WaitForExit();
                return process.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }
    }
}
