namespace Hort.Repository.Format;

/// <summary>The repository format version and its frozen constants (see docs/design/repository-format.md).</summary>
public static class FormatVersion
{
    /// <summary>The only format version this code reads and writes.</summary>
    public const uint Current = 1;

    /// <summary>Magic at the start of the config blob: SHA-256("hort/v1/config")[0..8].</summary>
    public static ReadOnlySpan<byte> ConfigMagic => [0xb2, 0xe7, 0xae, 0xaa, 0x6b, 0x6a, 0xc4, 0x93];

    /// <summary>Magic at the start of every pack file: SHA-256("hort/v1/pack")[0..8].</summary>
    public static ReadOnlySpan<byte> PackMagic => [0x7f, 0xc3, 0x20, 0xe3, 0xf0, 0x55, 0xb6, 0x65];

    /// <summary>Associated data of a pack header envelope.</summary>
    public static ReadOnlySpan<byte> PackHeaderContext => "hort/v1/pack-header"u8;

    /// <summary>Associated data of an index file envelope.</summary>
    public static ReadOnlySpan<byte> IndexContext => "hort/v1/index"u8;

    /// <summary>Associated data of a snapshot envelope.</summary>
    public static ReadOnlySpan<byte> SnapshotContext => "hort/v1/snapshot"u8;

    /// <summary>Associated data of a damage record envelope (written by repair).</summary>
    public static ReadOnlySpan<byte> DamageContext => "hort/v1/damage"u8;
}
