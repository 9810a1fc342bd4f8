using System.Buffers;

namespace Hort.Storage;

/// <summary>
/// A put in progress whose bytes are appended piece by piece and whose name is given only when it is committed (a pack
/// is named by the hash of its content, known only at its end). Nothing is visible under any name before
/// <see cref="CommitAsync"/> completes; disposing without committing abandons it and leaves nothing behind.
/// </summary>
/// <remarks>
/// One caller at a time. After a failed <see cref="Write"/> or <see cref="CommitAsync"/> the staged blob is abandoned:
/// further calls throw <see cref="InvalidOperationException"/>, and only <see cref="IDisposable.Dispose"/> remains.
/// </remarks>
public interface IStagedBlob : IDisposable
{
    /// <summary>Bytes appended so far.</summary>
    long Length { get; }

    /// <summary>Appends <paramref name="bytes"/>; a full device raises <see cref="StorageFullException"/>.</summary>
    void Write(ReadOnlySpan<byte> bytes);

    /// <summary>
    /// Stores everything appended under <paramref name="name"/> (of the kind the put was begun for), with the
    /// guarantees of <see cref="IBlobStore.PutAsync"/>: atomic, durable when the task completes, a whole replacement of
    /// an existing blob, and nothing visible under the name if it fails.
    /// </summary>
    Task CommitAsync(BlobName name, CancellationToken cancellationToken = default);
}

/// <summary>
/// The staged put of a store that has no native one: collects the bytes in memory and puts them whole on commit, so a
/// wrapper store keeps exactly the semantics of its <see cref="IBlobStore.PutAsync"/>.
/// </summary>
internal sealed class BufferedStagedBlob(IBlobStore store, BlobKind kind) : IStagedBlob
{
    private byte[] _buffer = [];
    private int _length;
    private bool _closed;

    public long Length => _length;

    public void Write(ReadOnlySpan<byte> bytes)
    {
        ThrowIfClosed();
        if (_length + (long)bytes.Length > Array.MaxLength)
        {
            throw new InvalidOperationException($"a staged {kind} blob held in memory cannot exceed {Array.MaxLength} bytes");
        }

        if (_length + bytes.Length > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(_length + (long)bytes.Length, _buffer.Length * 2L)));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ReturnBuffer();
            _buffer = bigger;
        }

        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public async Task CommitAsync(BlobName name, CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        StagedPut.CheckKind(kind, name);
        _closed = true;
        try
        {
            await store.PutAsync(name, _buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ReturnBuffer();
        }
    }

    public void Dispose()
    {
        _closed = true;
        ReturnBuffer();
    }

    private void ThrowIfClosed()
    {
        if (_closed)
        {
            throw new InvalidOperationException(StagedPut.Closed);
        }
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}

/// <summary>What every staged put checks.</summary>
internal static class StagedPut
{
    public const string Closed = "this staged put was already committed or abandoned";

    public static void CheckKind(BlobKind kind, BlobName name)
    {
        if (name.Kind != kind)
        {
            throw new ArgumentException($"a put begun for {kind} blobs cannot be committed as {name}", nameof(name));
        }
    }
}
