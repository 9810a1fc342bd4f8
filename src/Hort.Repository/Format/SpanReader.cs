using System.Buffers.Binary;
using Hort.Core;

namespace Hort.Repository.Format;

/// <summary>Bounds-checked little-endian reader over untrusted bytes; every overrun is reported as corruption.</summary>
internal ref struct SpanReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _objectName;
    private int _position;

    public SpanReader(ReadOnlySpan<byte> data, string objectName)
    {
        _data = data;
        _objectName = objectName;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new RepositoryCorruptException(_objectName, "data ends early (truncated or damaged)");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    public byte ReadByte() => ReadBytes(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8));

    public ObjectId ReadId() => new(ReadBytes(ObjectId.Size));

    /// <summary>Reads a uint32 count and checks that that many items of at least <paramref name="minItemSize"/> bytes can follow.</summary>
    public int ReadCount(int minItemSize)
    {
        var count = ReadUInt32();
        if (count > int.MaxValue || (long)count * Math.Max(minItemSize, 1) > Remaining)
        {
            throw new RepositoryCorruptException(_objectName, "a count exceeds the data that follows");
        }

        return (int)count;
    }

    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
        {
            throw new RepositoryCorruptException(_objectName, $"{Remaining} unexpected bytes after the end of the data");
        }
    }
}
