using System.Buffers;

namespace Hort.Server.Dashboard.Browsing;

/// <summary>
/// Lets a writer that writes a few bytes synchronously (a zip archive writing an entry's header when the next entry is
/// created) work onto an output that only takes asynchronous writes (a response body): synchronous writes wait in
/// memory and go out, in order, before the next asynchronous write or at <see cref="FlushAsync(CancellationToken)"/>.
/// File content is written asynchronously and passes straight through.
/// </summary>
internal sealed class AsyncWriteBuffer(Stream output) : Stream
{
    private readonly ArrayBufferWriter<byte> _pending = new();

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void WriteByte(byte value) => Write([value]);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await SendPendingAsync(cancellationToken).ConfigureAwait(false);
        await output.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendPendingAsync(cancellationToken).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Nothing to do synchronously: what waits goes out with the next asynchronous write or flush.</summary>
    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private async Task SendPendingAsync(CancellationToken cancellationToken)
    {
        if (_pending.WrittenCount == 0) return;
        await output.WriteAsync(_pending.WrittenMemory, cancellationToken).ConfigureAwait(false);
        _pending.Clear();
    }
}
