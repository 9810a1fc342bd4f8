using System.IO.Compression;

namespace Hort.Server.Dashboard.Browsing;

/// <summary>
/// A gzip output whose compression level can change between tar entries: each change ends one gzip member and starts
/// the next. A .gz file may hold several members, read as one stream by gunzip, tar and <see cref="GZipStream"/>;
/// so content that does not compress is stored rather than deflated for nothing, and the rest is still compressed.
/// </summary>
internal sealed class GzipMembers(Stream output) : Stream
{
    private CompressionLevel _level = CompressionLevel.Fastest;
    private GZipStream _member = new(output, CompressionLevel.Fastest, leaveOpen: true);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Compresses what follows at <paramref name="level"/>, ending the current member if its level differs.</summary>
    public async Task UseAsync(CompressionLevel level)
    {
        if (level == _level) return;
        await _member.DisposeAsync().ConfigureAwait(false);
        _member = new GZipStream(output, level, leaveOpen: true);
        _level = level;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _member.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _member.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => _member.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => _member.FlushAsync(cancellationToken);

    public override void Flush() => _member.Flush();

    public override async ValueTask DisposeAsync()
    {
        await _member.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
