using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using Hort.Core;

namespace Hort.Storage;

/// <summary>A blob store in a local directory, laid out as <see cref="BlobName.ToString"/> names each blob.</summary>
/// <remarks>
/// Puts write a <c>.tmp-</c> file in the kind's folder (<c>data/</c> for packs), fsync it, rename it over the final name
/// and fsync the final folder, which gives atomic, durable puts on any POSIX file system; every put is a staged put
/// (<see cref="BeginPut"/>) written in one piece. Readers never see the temporary files.
/// </remarks>
public sealed partial class LocalDirectoryBlobStore : IBlobStore
{
    /// <summary>Prefix of in-flight files; listings skip them and <see cref="CleanTemporaryFiles"/> removes old ones.</summary>
    public const string TemporaryPrefix = ".tmp-";

    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static readonly string[] KindFolders = ["keys", "data", "index", "snapshots", "locks", "leases", "deletions", "settings", "quarantine", "damage"];

    private readonly TimeProvider _time;

    /// <summary>Opens the store rooted at <paramref name="rootPath"/>; the directory need not exist yet.</summary>
    public LocalDirectoryBlobStore(string rootPath)
        : this(rootPath, TimeProvider.System)
    {
    }

    /// <summary>Opens the store with the clock used to age temporary files.</summary>
    public LocalDirectoryBlobStore(string rootPath, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        ArgumentNullException.ThrowIfNull(timeProvider);
        RootPath = Path.GetFullPath(rootPath);
        _time = timeProvider;
    }

    /// <summary>The absolute path of the repository directory.</summary>
    public string RootPath { get; }

    /// <inheritdoc />
    public string Location => RootPath;

    /// <summary>True when the repository directory exists.</summary>
    public bool RootExists => Directory.Exists(RootPath);

    /// <summary>Creates the repository directory and its kind folders (data/xx folders come lazily), durably.</summary>
    public static LocalDirectoryBlobStore Create(string rootPath)
    {
        var store = new LocalDirectoryBlobStore(rootPath);
        var parent = Path.GetDirectoryName(store.RootPath);
        if (parent is not null && !Directory.Exists(parent))
        {
            throw new DirectoryNotFoundException($"cannot create the repository at {store.RootPath}: {parent} does not exist");
        }

        if (!Directory.Exists(store.RootPath))
        {
            CreateDirectory(store.RootPath);
            if (parent is not null)
            {
                Posix.FsyncDirectory(parent);
            }
        }

        foreach (var folder in KindFolders)
        {
            var path = Path.Combine(store.RootPath, folder);
            if (!Directory.Exists(path))
            {
                CreateDirectory(path);
            }
        }

        Posix.FsyncDirectory(store.RootPath);
        return store;
    }

    /// <summary>The file that holds <paramref name="name"/>.</summary>
    public string PathOf(BlobName name) => Path.Combine(RootPath, name.ToString());

    /// <inheritdoc />
    public async Task<byte[]> GetAsync(BlobName name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var handle = OpenForReading(name);
        var length = RandomAccess.GetLength(handle);
        if (length > Array.MaxLength)
        {
            throw new IOException($"{name} is {length} bytes, too large to read whole");
        }

        var content = new byte[length];
        var read = await ReadFullyAsync(handle, 0, content, cancellationToken).ConfigureAwait(false);

        // Blobs are never modified in place, so a short read means the file was truncated behind our back.
        return read == content.Length
            ? content
            : throw new IOException($"{name} is shorter than its size on disk; the file was changed while being read");
    }

    /// <inheritdoc />
    public async Task<int> ReadAsync(BlobName name, long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();
        using var handle = OpenForReading(name);
        return await ReadFullyAsync(handle, offset, buffer, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<BlobInfo?> StatAsync(BlobName name, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<BlobInfo?>(cancellationToken);
        }

        try
        {
            var file = new FileInfo(PathOf(name));
            return Task.FromResult(file.Exists ? new BlobInfo(name, file.Length) : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromException<BlobInfo?>(e);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(
        BlobKind kind, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!RootExists)
        {
            throw new RepositoryNotFoundException($"there is no repository at {RootPath}: the directory does not exist");
        }

        // Yield once so enumeration runs off the caller's synchronous path, like every other member.
        await Task.Yield();

        switch (kind)
        {
            case BlobKind.Config:
                var config = new FileInfo(Path.Combine(RootPath, BlobName.ConfigName));
                if (config.Exists)
                {
                    yield return new BlobInfo(BlobName.Config, config.Length);
                }

                break;

            case BlobKind.Pack:
                foreach (var prefix in ListPackPrefixes())
                {
                    foreach (var blob in ListFolder(BlobKind.Pack, Path.Combine(RootPath, "data", prefix), prefix))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        yield return blob;
                    }
                }

                break;

            default:
                foreach (var blob in ListFolder(kind, Path.Combine(RootPath, FolderOf(kind)), requiredPrefix: null))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return blob;
                }

                break;
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(BlobName name, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        try
        {
            Delete(PathOf(name));
            return Task.CompletedTask;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Task.FromException(e);
        }
    }

    private static void Delete(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Removed concurrently together with its folder: the blob is gone, which is what was asked.
            return;
        }

        // Make the removal durable too: a lock or an index that reappears after a crash would mislead later runs.
        Posix.FsyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>
    /// Removes temporary files left by writers that crashed, if older than <paramref name="olderThan"/>; a younger one
    /// may belong to a put still running. A staged put's file ages from its last append, and a backup that finds
    /// nothing new for a while appends nothing, so <paramref name="olderThan"/> must be longer than any writer pauses.
    /// Returns how many were removed.
    /// </summary>
    public int CleanTemporaryFiles(TimeSpan olderThan)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(olderThan, TimeSpan.Zero);
        if (!RootExists)
        {
            return 0;
        }

        var cutoff = _time.GetUtcNow().UtcDateTime - olderThan;
        var removed = 0;
        foreach (var directory in TemporaryFileFolders())
        {
            var found = new FileSystemEnumerable<(string Path, DateTime Written)>(
                directory,
                (ref FileSystemEntry entry) => (entry.ToFullPath(), entry.LastWriteTimeUtc.UtcDateTime),
                EnumerateAll)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                    !entry.IsDirectory && entry.FileName.StartsWith(TemporaryPrefix, StringComparison.Ordinal),
            };

            var removedHere = 0;
            foreach (var (path, written) in found)
            {
                if (written < cutoff)
                {
                    File.Delete(path);
                    removedHere++;
                }
            }

            if (removedHere > 0)
            {
                Posix.FsyncDirectory(directory);
                removed += removedHere;
            }
        }

        return removed;
    }

    /// <inheritdoc />
    public Task<int> CleanTemporaryFilesAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(CleanTemporaryFiles(olderThan));
    }

    private static readonly EnumerationOptions EnumerateAll = new()
    {
        // The defaults skip "hidden" dot files and swallow unreadable folders; a listing must be complete or fail.
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    private static string FolderOf(BlobKind kind) => kind switch
    {
        BlobKind.Key => "keys",
        BlobKind.Pack => "data",
        BlobKind.Index => "index",
        BlobKind.Snapshot => "snapshots",
        BlobKind.Lock => "locks",
        BlobKind.Lease => "leases",
        BlobKind.Deletion => "deletions",
        BlobKind.Setting => "settings",
        BlobKind.Quarantine => "quarantine",
        BlobKind.Damage => "damage",
        BlobKind.ServerState => "server",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "this kind has no folder"),
    };

    private IEnumerable<string> ListPackPrefixes()
    {
        var data = Path.Combine(RootPath, "data");
        if (!Directory.Exists(data))
        {
            return [];
        }

        return new FileSystemEnumerable<string>(data, (ref FileSystemEntry entry) => entry.FileName.ToString(), EnumerateAll)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                entry.IsDirectory && entry.FileName.Length == 2 && Hex.IsLowerHex(entry.FileName),
        };
    }

    private static IEnumerable<BlobInfo> ListFolder(BlobKind kind, string directory, string? requiredPrefix)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        // Only names this store could have written count: temp files, strays and packs filed under the wrong
        // prefix are skipped, since GetAsync could not find them under the name the listing would report.
        return new FileSystemEnumerable<BlobInfo>(
            directory,
            (ref FileSystemEntry entry) => new BlobInfo(new BlobName(kind, entry.FileName.ToString()), entry.Length),
            EnumerateAll)
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                !entry.IsDirectory
                && (requiredPrefix is null || entry.FileName.StartsWith(requiredPrefix, StringComparison.Ordinal))
                && BlobName.IsValid(kind, entry.FileName.ToString()),
        };
    }

    private IEnumerable<string> TemporaryFileFolders()
    {
        yield return RootPath;
        foreach (var folder in Enum.GetValues<BlobKind>().Where(kind => kind != BlobKind.Config).Select(FolderOf))
        {
            var path = Path.Combine(RootPath, folder);
            if (Directory.Exists(path))
            {
                yield return path;
            }
        }

        foreach (var prefix in ListPackPrefixes())
        {
            yield return Path.Combine(RootPath, "data", prefix);
        }
    }

    private Microsoft.Win32.SafeHandles.SafeFileHandle OpenForReading(BlobName name)
    {
        try
        {
            return File.OpenHandle(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(name);
        }
    }

    private static async Task<int> ReadFullyAsync(
        Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer[total..], offset + total, cancellationToken)
                .ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, DirectoryMode0700);
        }
    }
}
