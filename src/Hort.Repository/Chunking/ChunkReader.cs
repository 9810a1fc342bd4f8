
namespace Hort.Repository.Chunking;

/// <summary>
/// Cuts a stream into chunks with a <see cref="Chunker"/>, reading into one pooled buffer of the maximum chunk size.
/// </summary>
/// <remarks>
/// The chunker is first shown a look-ahead of twice the average chunk size, which holds the next boundary most of the
/// time; only when it does not is the look-ahead extended to the maximum chunk size. So the unread rest that moves to
/// the front of the buffer before each refill is usually small, and the buffer need not be larger than one chunk.
/// </remarks>
/// <remarks>
/// Buffer lifetime: the memory returned by <see cref="NextAsync"/> is a slice of the reader's own buffer. It stays
/// valid only until the next call to <see cref="NextAsync"/> or <see cref="Dispose"/>; copy it to keep it longer.
/// Not thread-safe: one consumer at a time.
/// </remarks>
public sealed class ChunkReader : IDisposable
{
    private readonly Chunker _chunker;
    private readonly Func<Memory<byte>, CancellationToken, ValueTask<int>> _read;
    private readonly int _lookahead;
    private byte[]? _buffer;
    private int _start;
    private int _end;
    private bool _endOfInput;

    /// <summary>A reader over <paramref name="stream"/> (not disposed by the reader).</summary>
    public ChunkReader(Chunker chunker, Stream stream)
        : this(chunker, (stream ?? throw new ArgumentNullException(nameof(stream))).ReadAsync)
    {
    }

    /// <summary>A reader over any source: <paramref name="read"/> fills some of the memory it is given and returns the count, 0 at the end.</summary>
    public ChunkReader(Chunker chunker, Func<Memory<byte>, CancellationToken, ValueTask<int>> read)
    {
        ArgumentNullException.ThrowIfNull(chunker);
        ArgumentNullException.ThrowIfNull(read);
        _chunker = chunker;
        _read = read;
        _lookahead = Math.Min(chunker.Parameters.MaxSize, 2 * chunker.Parameters.AverageSize);
        _buffer = LargeBuffers.Rent(chunker.Parameters.MaxSize);
    }

    /// <summary>Offset in the input of the chunk most recently returned (0 before the first).</summary>
    public long ChunkOffset { get; private set; }

    /// <summary>Bytes of input returned as chunks so far.</summary>
    public long BytesConsumed { get; private set; }

    /// <summary>
    /// The next chunk, or null at the end of the input (empty input has no chunks). The memory is valid until the
    /// next call or <see cref="Dispose"/>.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?> NextAsync(CancellationToken cancellationToken = default)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(ChunkReader));
        var wanted = _lookahead;
        int length;
        while (true)
        {
            await FillAsync(buffer, wanted, cancellationToken).ConfigureAwait(false);
            if (_start == _end)
            {
                return null;
            }

            // With MaxSize bytes or the rest of the input at hand the chunker always decides.
            length = _chunker.FindBoundary(buffer.AsSpan(_start, _end - _start), _endOfInput);
            if (length >= 0)
            {
                break;
            }

            wanted = _chunker.Parameters.MaxSize;
        }

        var chunk = buffer.AsMemory(_start, length);
        _start += length;
        ChunkOffset = BytesConsumed;
        BytesConsumed += length;
        return chunk;
    }

    /// <summary>
    /// Reads until <paramref name="wanted"/> bytes follow the start (or the input ends), first moving the unread rest
    /// to the front of the buffer when they would not fit behind it. Each read asks for all the room left.
    /// </summary>
    private async ValueTask FillAsync(byte[] buffer, int wanted, CancellationToken cancellationToken)
    {
        if (_endOfInput || _end - _start >= wanted)
        {
            return;
        }

        if (_start + wanted > buffer.Length)
        {
            buffer.AsSpan(_start, _end - _start).CopyTo(buffer);
            _end -= _start;
            _start = 0;
        }

        while (_end - _start < wanted)
        {
            var read = await _read(buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read <= 0)
            {
                _endOfInput = true;
                return;
            }

            _end += read;
        }
    }

    /// <summary>Returns the buffer to the pool; chunks returned earlier become invalid.</summary>
    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            LargeBuffers.Return(buffer);
        }
    }
}
