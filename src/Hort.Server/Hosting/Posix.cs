using System.Runtime.InteropServices;

namespace Hort.Server.Hosting;

/// <summary>The few libc calls hortd needs.</summary>
internal static partial class Posix
{
    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    public static bool IsRoot() => GetEffectiveUserId() == 0;
}
