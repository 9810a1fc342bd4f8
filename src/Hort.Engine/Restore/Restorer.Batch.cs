using Hort.Core;
using Hort.Engine.Browsing;
using Hort.Engine.FileSystem;
using Hort.Repository;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Trees;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.Restore;

// Restores in planned batches from a source that reads many chunks at once (IPlannedReads: a local repository reads
// each pack's needed ranges once, a server sends a batch's chunks in one answer): the walk creates each plain file and
// adds it to the batch; a full batch locates its chunks, which gives every chunk's offsets in its files, has them all
// read, and writes every verified chunk with pwrite at its offsets into every file that needs it. A file gets its
// metadata and is closed when its last chunk is in. While one batch is located, read and written, the walk plans the
// next.
public sealed partial class Restorer
{
    /// <summary>Files planned (and held open) per batch; two batches are open at most, the one running and the one planned.</summary>
    private const int BatchFiles = 512;

    /// <summary>Chunk placements per batch, which bounds the plan's memory for very large files.</summary>
    private const int BatchTargets = 65536;

    private Batch? _batch;
    private Task _running = Task.CompletedTask;
    private CancellationToken _walkCancellation;

    private static int Parallelism => Math.Max(2, Environment.ProcessorCount);

    /// <summary>Creates a plain file and plans its content into the current batch; a full batch starts running.</summary>
    private async Task PlanFileAsync(TreeNode node, RestoreDirectory dir, List<byte[]> path)
    {
        try
        {
            if (_progress is not null)
            {
                _current = SnapshotWalker.DisplayPath(path);
            }

            var file = new PlannedFile(dir.CreateFile(node.Name, OwnerOnlyFile), node, path.ToArray());
            _batch!.Add(file);
        }
        catch (IOException e)
        {
            AddIssue(path, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            AddIssue(path, e.Message);
        }

        if (_batch!.Files >= BatchFiles || _batch.Targets >= BatchTargets)
        {
            await StartBatchAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the running batch, then starts the planned one and begins a new plan.</summary>
    private async Task StartBatchAsync()
    {
        await _running.ConfigureAwait(false);
        var batch = _batch!;
        _batch = new Batch(this);
        _running = batch.RunAsync(_walkCancellation);
    }

    /// <summary>Runs what is planned and waits for everything to be written.</summary>
    private async Task FinishBatchesAsync()
    {
        await StartBatchAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
    }

    /// <summary>After a failed walk: lets the running batch end and closes the files of the planned one.</summary>
    private async Task AbandonBatchesAsync()
    {
        try
        {
            await _running.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The walk's own failure is the one reported.
        }

        _batch?.CloseAll();
    }

    /// <summary>A chunk's place in a planned file.</summary>
    private readonly record struct Placement(PlannedFile File, long Offset, int Index);

    /// <summary>A chunk a batch needs: where it is stored and every place it goes.</summary>
    private sealed class Need(BlobLocation location, Placement first)
    {
        public BlobLocation Location { get; } = location;

        public Placement First { get; } = first;

        public List<Placement>? More { get; set; }
    }

    /// <summary>A file being restored: open, with the chunks still to come and the first failure by position in the file.</summary>
    private sealed class PlannedFile(SafeFileHandle handle, TreeNode node, byte[][] path)
    {
        private readonly Lock _lock = new();
        private int _failedIndex = int.MaxValue;

        public SafeFileHandle Handle { get; } = handle;

        public TreeNode Node { get; } = node;

        public byte[][] Path { get; } = path;

        /// <summary>Chunk placements not yet written or failed.</summary>
        public int Remaining;

        /// <summary>The restored length (sum of the chunks' lengths in the index).</summary>
        public long Length { get; set; }

        /// <summary>The last chunk was all zero and left as a hole, so the length must be set.</summary>
        public volatile bool NeedsLength;

        public volatile bool Failed;

        /// <summary>The error of the first chunk (by position) that could not be restored, as the file names it.</summary>
        public Exception? Error { get; private set; }

        public void Fail(int index, Exception error)
        {
            lock (_lock)
            {
                if (index < _failedIndex)
                {
                    _failedIndex = index;
                    Error = error;
                }
            }

            Failed = true;
        }
    }

    /// <summary>Planned files and the chunks they need, located and read once through the source's <see cref="IPlannedReads"/>.</summary>
    private sealed class Batch(Restorer owner) : IBlobSink
    {
        private readonly List<PlannedFile> _files = [];
        private readonly Dictionary<ObjectId, Need> _needs = [];
        private readonly List<BlobLocation> _order = [];

        public int Files => _files.Count;

        public int Targets { get; private set; }

        public void Add(PlannedFile file)
        {
            _files.Add(file);
            Targets += file.Node.Content.Count;
        }

        /// <summary>Locates every chunk of the batch and places it in its files; a file without chunks is finished here.</summary>
        private async Task PlanAsync(IPlannedReads reads, CancellationToken ct)
        {
            var ids = _files.SelectMany(f => f.Node.Content).Distinct().ToList();
            var located = await reads.LocateAsync(ids, ct).ConfigureAwait(false);
            var locations = new Dictionary<ObjectId, LocatedBlob>(ids.Count);
            for (var i = 0; i < ids.Count; i++)
            {
                locations[ids[i]] = located[i];
            }

            foreach (var file in _files)
            {
                Place(file, locations);
            }
        }

        private void Place(PlannedFile file, Dictionary<ObjectId, LocatedBlob> locations)
        {
            long offset = 0;
            var content = file.Node.Content;
            for (var i = 0; i < content.Count; i++)
            {
                var (location, error) = locations[content[i]];
                if (error is not null)
                {
                    // As a chunk-by-chunk restore: what comes before the missing chunk is written, nothing after it.
                    file.Fail(i, error);
                    break;
                }

                var placement = new Placement(file, offset, i);
                if (_needs.TryGetValue(content[i], out var need))
                {
                    (need.More ??= []).Add(placement);
                }
                else
                {
                    _needs.Add(content[i], new Need(location, placement));
                    _order.Add(location);
                }

                file.Remaining++;
                offset += location.Entry.RawLength;
            }

            file.Length = offset;
            if (file.Remaining == 0)
            {
                owner.FinishFile(file);
            }
        }

        public async Task RunAsync(CancellationToken ct)
        {
            try
            {
                var reads = owner._source.PlannedReads!;
                await PlanAsync(reads, ct).ConfigureAwait(false);
                await reads.ReadAsync(_order, this, Parallelism, ct).ConfigureAwait(false);
            }
            finally
            {
                CloseAll();
            }
        }

        /// <summary>Closes every file of the batch (all are closed already when it ran to the end).</summary>
        public void CloseAll()
        {
            foreach (var file in _files)
            {
                file.Handle.Dispose();
            }
        }

        public void Accept(in BlobLocation blob, ReadOnlySpan<byte> content)
        {
            var need = _needs[blob.Entry.Id];

            // Zero runs are left as holes: sparse files come back sparse, and the length is set at the end.
            var data = content.IndexOfAnyExcept((byte)0) >= 0;
            Place(need.First, content, data);
            if (need.More is { } more)
            {
                foreach (var placement in more)
                {
                    Place(placement, content, data);
                }
            }
        }

        public void Fail(in BlobLocation blob, Exception error)
        {
            var need = _needs[blob.Entry.Id];
            Failed(need.First, error);
            if (need.More is { } more)
            {
                foreach (var placement in more)
                {
                    Failed(placement, error);
                }
            }
        }

        private void Place(Placement placement, ReadOnlySpan<byte> content, bool data)
        {
            var file = placement.File;
            if (!file.Failed)
            {
                try
                {
                    if (data)
                    {
                        RandomAccess.Write(file.Handle, content, placement.Offset);
                    }
                    else if (placement.Offset + content.Length == file.Length)
                    {
                        file.NeedsLength = true;
                    }

                    Interlocked.Add(ref owner._bytes, content.Length);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    file.Fail(placement.Index, e);
                }
            }

            Done(file);
        }

        private void Failed(Placement placement, Exception error)
        {
            placement.File.Fail(placement.Index, error);
            Done(placement.File);
        }

        private void Done(PlannedFile file)
        {
            if (Interlocked.Decrement(ref file.Remaining) == 0)
            {
                owner.FinishFile(file);
            }
        }
    }

    /// <summary>Once all of a file's chunks are in (or failed): its length, the size check, metadata; then it is closed.</summary>
    private void FinishFile(PlannedFile file)
    {
        try
        {
            if (file.Error is { } error)
            {
                AddIssue(file.Path, error is RepositoryCorruptException ? "repository damage: " + error.Message : error.Message);
                return;
            }

            if (file.NeedsLength)
            {
                FileHandleMetadata.SetLength(file.Handle, file.Length);
            }

            if ((ulong)file.Length != file.Node.Size)
            {
                AddIssue(file.Path, $"restored {file.Length} bytes but the snapshot records {file.Node.Size}");
            }

            ApplyMetadata(file.Handle, file.Node, file.Path);
            Interlocked.Increment(ref _files);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            AddIssue(file.Path, e.Message);
        }
        finally
        {
            file.Handle.Dispose();
        }
    }
}
