using System.Buffers;
using Hort.Core;
using Hort.Repository;
using Hort.Repository.Format;

namespace Hort.Server.Dashboard.Browsing;

/// <summary>
/// A file's content read from the repository chunk by chunk, a few chunks ahead, into pooled buffers: memory stays
/// bounded by <see cref="ReadAhead"/> chunks whatever the file's size. It reports its length (and so counts as seekable,
/// which a tar writer needs to write the size before the data) but only reads forward, asynchronously.
/// Missing or damaged content, or chunks that do not add up to the recorded size, throw
/// <see cref="RepositoryCorruptException"/>: a reader never sees a silently shortened file.
/// </summary>
internal sealed class FileContentStream : Stream
{
    /// <summary>Chunks being read at once.</summary>
    public const int ReadAhead = 4;

    private readonly HortRepository _repository;
    private readonly IReadOnlyList<ObjectId> _chunks;
    private readonly long _length;
    private readonly string _name;
    private readonly CancellationToken _cancellation;
    private readonly Queue<Task<(byte[] Buffer, int Length)>> _pending = new();
    private int _nextChunk;
    private byte[]? _current;
    private int _currentLength;
    private int _currentOffset;
    private long _position;

    /// <param name="name">The file's path, named when its content turns out damaged.</param>
    public FileContentStream(HortRepository repository, IReadOnlyList<ObjectId> chunks, long length, string name, CancellationToken cancellation)
    {
        _repository = repository;
        _chunks = chunks;
        _length = length;
        _name = name;
        _cancellation = cancellation;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set
        {
            if (value != _position) throw new NotSupportedException("a file's content is read forward only");
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty) return 0;
        while (_current is null || _currentOffset == _currentLength)
        {
            Release();
            Fill();
            if (_pending.Count == 0)
            {
                return _position == _length ? 0 : throw Short();
            }

            (_current, _currentLength) = await _pending.Dequeue().WaitAsync(cancellationToken).ConfigureAwait(false);
            _currentOffset = 0;
            if (_position + _currentLength > _length) throw Short();
        }

        var n = Math.Min(buffer.Length, _currentLength - _currentOffset);
        _current.AsSpan(_currentOffset, n).CopyTo(buffer.Span);
        _currentOffset += n;
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Reading blocks on the repository; only the asynchronous reads are offered.</summary>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read a file's content asynchronously");

    public override long Seek(long offset, SeekOrigin origin) =>
        (origin == SeekOrigin.Begin && offset == _position) || (origin == SeekOrigin.Current && offset == 0)
            ? _position
            : throw new NotSupportedException("a file's content is read forward only");

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Release();
            // Reads still in flight give their buffers back when they end.
            while (_pending.TryDequeue(out var read))
            {
                _ = read.ContinueWith(static t => ArrayPool<byte>.Shared.Return(t.Result.Buffer), CancellationToken.None,
                    TaskContinuationOptions.OnlyOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }

        base.Dispose(disposing);
    }

    private void Fill()
    {
        while (_pending.Count < ReadAhead && _nextChunk < _chunks.Count)
        {
            _pending.Enqueue(_repository.RentBlobAsync(BlobType.Data, _chunks[_nextChunk++], _cancellation));
        }
    }

    private void Release()
    {
        if (_current is null) return;
        ArrayPool<byte>.Shared.Return(_current);
        _current = null;
    }

    private RepositoryCorruptException Short() =>
        new(_name, $"its chunks do not add up to the {_length} bytes recorded for it");
}
