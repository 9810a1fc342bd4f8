namespace Hort.Engine.FileSystem;

/// <summary>glibc's encoding of device numbers (<c>makedev</c>, <c>major</c>, <c>minor</c>), so that major and minor can be stored apart.</summary>
public static class DeviceNumbers
{
    public static ulong Make(uint major, uint minor) =>
        ((ulong)(major & 0x00000FFFu) << 8) | ((ulong)(major & 0xFFFFF000u) << 32)
        | (minor & 0x000000FFu) | ((ulong)(minor & 0xFFFFFF00u) << 12);

    public static uint Major(ulong device) =>
        (uint)((device & 0x00000000000FFF00ul) >> 8) | (uint)((device & 0xFFFFF00000000000ul) >> 32);

    public static uint Minor(ulong device) =>
        (uint)(device & 0x00000000000000FFul) | (uint)((device & 0x00000FFFFFF00000ul) >> 12);
}
