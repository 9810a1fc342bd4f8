using FsCheck;
using FsCheck.Fluent;
using Hort.Core;

namespace Hort.Repository.Tests.Format;

/// <summary>Generators for format fields that reach every extreme a field can hold, not just small values.</summary>
internal static class FormatGen
{
    public static Gen<byte> Byte { get; } = Gen.Choose(0, 255).Select(i => (byte)i);

    public static Gen<ushort> UInt16 { get; } = Gen.Frequency(
        (1, Gen.Elements<ushort>(0, 1, ushort.MaxValue)),
        (4, Gen.Choose(0, ushort.MaxValue).Select(i => (ushort)i)));

    public static Gen<uint> UInt32 { get; } = Gen.Frequency(
        (1, Gen.Elements(0u, 1u, 0x7fff_ffffu, 0x8000_0000u, uint.MaxValue - 1, uint.MaxValue)),
        (4, from hi in Gen.Choose(0, 0xffff) from lo in Gen.Choose(0, 0xffff) select ((uint)hi << 16) | (uint)lo));

    public static Gen<ulong> UInt64 { get; } = Gen.Frequency(
        (1, Gen.Elements(0UL, 1UL, (ulong)long.MaxValue, (ulong)long.MaxValue + 1, ulong.MaxValue)),
        (4, from hi in UInt32 from lo in UInt32 select ((ulong)hi << 32) | lo));

    public static Gen<long> Int64 { get; } = Gen.Frequency(
        (1, Gen.Elements(long.MinValue, long.MinValue + 1, -1L, 0L, long.MaxValue)),
        (4, UInt64.Select(u => unchecked((long)u))));

    public static Gen<ObjectId> Id { get; } = Byte.ArrayOf(ObjectId.Size).Select(b => new ObjectId(b));

    /// <summary>Arbitrary bytes of a length in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Gen<byte[]> Bytes(int min, int max) => Gen.Choose(min, max).SelectMany(n => Byte.ArrayOf(n));

    /// <summary>Text with what JSON must escape: quotes, backslashes, controls, non-ASCII and non-BMP characters.</summary>
    public static Gen<string> Text { get; } = Gen.Elements(
            "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\0", "\u001f", "\u007f", "é", "ß", "€", "日本", "\U0001F600", "<", ">", "&", "'", "+")
        .ListOf()
        .Select(parts => string.Concat(parts));
}
