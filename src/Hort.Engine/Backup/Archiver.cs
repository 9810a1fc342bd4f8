using System.Collections.Concurrent;
using Hort.Core;
using Hort.Engine.FileSystem;
using Hort.Engine.Filtering;
using Hort.Repository;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;

namespace Hort.Engine.Backup;

/// <summary>
/// Saves files and directories into a repository as one snapshot. Files are chunked, deduplicated,
/// compressed and encrypted; files unchanged since the parent snapshot (same size, mtime, ctime and inode) are
/// not read again. Unreadable, vanished or changing files are reported and never stop the backup.
/// The snapshot is written only after every blob it references is durable.
/// </summary>
public sealed partial class Archiver
{
    private readonly IBackupTarget _target;
    private readonly BackupOptions _options;
    private readonly IProgress<BackupProgress>? _progress;
    private readonly ExcludeFilter _excludes;
    private readonly ConcurrentQueue<BackupIssue> _issues = new();
    private readonly ConcurrentDictionary<(ulong Device, ulong Inode), IReadOnlyList<ObjectId>> _hardLinks = new();
    private IBackupWriter _writer = null!;

    /// <summary>Chunks of large files being hashed and sealed at once, over the whole backup (bounds memory).</summary>
    private SemaphoreSlim _chunkSlots = null!;

    /// <summary>Files being read at once, over the whole backup.</summary>
    private SemaphoreSlim _fileSlots = null!;

    private int ChunkSlots => Math.Max(1, _options.Parallelism);
    private long _filesDone;
    private long _bytesDone;
    private long _filesTotal;
    private long _bytesTotal;
    private volatile bool _scanFinished;
    private long _files;
    private long _directories;
    private long _others;
    private long _filesNew;
    private long _filesChanged;
    private long _filesUnchanged;

    public Archiver(HortRepository repository, BackupOptions options, IProgress<BackupProgress>? progress = null)
        : this(new RepositoryBackupTarget(repository), options, progress)
    {
    }

    /// <summary>An archiver saving into <paramref name="target"/> (a local repository or a server session).</summary>
    public Archiver(IBackupTarget target, BackupOptions options, IProgress<BackupProgress>? progress = null)
    {
        _target = target;
        _options = options;
        _progress = progress;
        _excludes = new ExcludeFilter(options.Excludes);
    }

    /// <summary>Runs the backup; the repository's index must be loaded.</summary>
    public async Task<BackupResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var started = _target.Time.GetUtcNow();
        var targets = BackupTargets.Resolve(_options.Paths);
        using var scanCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Totals only serve the progress display; without one the scan would just compete for the disk and CPU.
        var scan = _progress is null ? Task.CompletedTask : Task.Run(() => Scan(targets, scanCancel.Token), scanCancel.Token);
        using var writer = _target.OpenWriter();
        _writer = writer;
        using var chunkSlots = new SemaphoreSlim(ChunkSlots, ChunkSlots);
        _chunkSlots = chunkSlots;
        using var fileSlots = new SemaphoreSlim(ChunkSlots, ChunkSlots);
        _fileSlots = fileSlots;
        using var ticker = StartTicker(cancellationToken);

        var parentRoot = _options.Parent?.Snapshot.Tree;
        ObjectId rootTree;
        using (var root = OpenFollowing(targets.Root.FullPath))
        {
            rootTree = await SaveVirtualDirectoryAsync(targets.Root, root, parentRoot, cancellationToken).ConfigureAwait(false);
        }

        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await scanCancel.CancelAsync().ConfigureAwait(false);
        try
        {
            await scan.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        var stats = writer.Statistics;
        var snapshot = new Snapshot
        {
            Time = started,
            Tree = rootTree,
            Paths = targets.DisplayPaths,
            Hostname = _options.Hostname,
            Username = Environment.UserName,
            Uid = PosixFileSystem.CurrentUid,
            Gid = PosixFileSystem.CurrentGid,
            Tags = _options.Tags,
            Excludes = _options.Excludes,
            Parent = _options.Parent?.Id,
            Program = "hort " + typeof(Archiver).Assembly.GetName().Version?.ToString(3),
            Summary = new SnapshotSummary
            {
                Files = _files, Directories = _directories, OtherEntries = _others,
                TotalBytes = Interlocked.Read(ref _bytesDone),
                FilesNew = _filesNew, FilesChanged = _filesChanged, FilesUnchanged = _filesUnchanged,
                BlobsAdded = stats.BlobsAdded, BytesAdded = stats.RawBytesAdded, StoredBytesAdded = stats.StoredBytesAdded,
                Errors = _issues.Count, Started = started, Finished = _target.Time.GetUtcNow(),
            },
        };
        if (_options.BeforeCommit is { } beforeCommit)
        {
            await beforeCommit(cancellationToken).ConfigureAwait(false);
        }

        var id = await _target.SaveSnapshotAsync(snapshot, cancellationToken).ConfigureAwait(false);
        ReportProgress(null);
        return new BackupResult(id, snapshot, _issues.ToArray());
    }

    private void AddIssue(byte[] path, string message)
    {
        _issues.Enqueue(new BackupIssue(PosixFileSystem.Display(path), message));
    }

    private void ReportProgress(string? current) => _progress?.Report(new BackupProgress(
        Interlocked.Read(ref _filesDone), Interlocked.Read(ref _bytesDone),
        Interlocked.Read(ref _filesTotal), Interlocked.Read(ref _bytesTotal), _scanFinished, _issues.Count, current));

    private Timer? StartTicker(CancellationToken cancellationToken) => _progress is null
        ? null
        : new Timer(_ => { if (!cancellationToken.IsCancellationRequested) ReportProgress(_current); }, null, 250, 250);

    private volatile string? _current;

    /// <summary>Counts what will be read so progress can show totals and an ETA.</summary>
    private void Scan(BackupTargets targets, CancellationToken cancellationToken)
    {
        var stack = new Stack<byte[]>(targets.Paths);
        while (stack.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = stack.Pop();
            FileStatus st;
            try
            {
                st = PosixFileSystem.LStat(path);
            }
            catch (IOException)
            {
                continue;
            }

            if (!_excludes.IsEmpty && _excludes.IsExcluded(PosixFileSystem.Display(path)))
            {
                continue;
            }

            if (st.Type == EntryType.File)
            {
                Interlocked.Increment(ref _filesTotal);
                Interlocked.Add(ref _bytesTotal, st.Size);
            }
            else if (st.Type == EntryType.Directory)
            {
                try
                {
                    foreach (var name in PosixFileSystem.ReadDirectory(path))
                    {
                        stack.Push(PosixFileSystem.Join(path, name));
                    }
                }
                catch (IOException)
                {
                }
            }
        }

        _scanFinished = true;
    }
}
