using System.Runtime.InteropServices;

namespace Hort.Repository.Native;

/// <summary>The parts of Debian's libzstd (1.5.4) that Hort calls.</summary>
internal static unsafe partial class LibZstd
{
    private const string Library = "libzstd.so.1";

    /// <summary>ZSTD_error_dstSize_tooSmall from zstd_errors.h (stable since 1.3).</summary>
    public const int ErrorDestinationTooSmall = 70;

    [LibraryImport(Library, EntryPoint = "ZSTD_compressBound")]
    public static partial nuint CompressBound(nuint sourceSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_createCCtx")]
    public static partial nint CreateCompressionContext();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeCCtx")]
    public static partial nuint FreeCompressionContext(nint context);

    [LibraryImport(Library, EntryPoint = "ZSTD_compressCCtx")]
    public static partial nuint Compress(
        ZstdCompressionContext context, byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize, int level);

    [LibraryImport(Library, EntryPoint = "ZSTD_createDCtx")]
    public static partial nint CreateDecompressionContext();

    [LibraryImport(Library, EntryPoint = "ZSTD_freeDCtx")]
    public static partial nuint FreeDecompressionContext(nint context);

    [LibraryImport(Library, EntryPoint = "ZSTD_decompressDCtx")]
    public static partial nuint Decompress(
        ZstdDecompressionContext context, byte* destination, nuint destinationCapacity, byte* source, nuint sourceSize);

    [LibraryImport(Library, EntryPoint = "ZSTD_isError")]
    public static partial uint IsError(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorCode")]
    public static partial int GetErrorCode(nuint code);

    [LibraryImport(Library, EntryPoint = "ZSTD_getErrorName")]
    public static partial nint GetErrorName(nuint code);

    /// <summary>The library's text for an error code.</summary>
    public static string ErrorName(nuint code) => Marshal.PtrToStringUTF8(GetErrorName(code)) ?? "unknown zstd error";
}

/// <summary>A ZSTD_CCtx, freed when the handle is disposed or collected (thread-static owners just drop it).</summary>
internal sealed class ZstdCompressionContext : SafeHandle
{
    public ZstdCompressionContext() : base(0, ownsHandle: true)
    {
        SetHandle(LibZstd.CreateCompressionContext());
        if (IsInvalid)
        {
            throw new OutOfMemoryException("zstd could not allocate a compression context");
        }
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibZstd.FreeCompressionContext(handle);
        return true;
    }
}

/// <summary>A ZSTD_DCtx, freed when the handle is disposed or collected.</summary>
internal sealed class ZstdDecompressionContext : SafeHandle
{
    public ZstdDecompressionContext() : base(0, ownsHandle: true)
    {
        SetHandle(LibZstd.CreateDecompressionContext());
        if (IsInvalid)
        {
            throw new OutOfMemoryException("zstd could not allocate a decompression context");
        }
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibZstd.FreeDecompressionContext(handle);
        return true;
    }
}
