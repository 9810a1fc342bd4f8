using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace Hort.Engine.FileSystem;

public static unsafe partial class PosixFileSystem
{
    // Lookups may go to NSS (LDAP, sssd); a backup asks for the same few ids millions of times, so answers
    // (unknown ones included) are kept for the life of the process.
    private static readonly ConcurrentDictionary<uint, string?> UserNames = new();
    private static readonly ConcurrentDictionary<uint, string?> GroupNames = new();
    private static readonly ConcurrentDictionary<string, uint?> UserIds = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, uint?> GroupIds = new(StringComparer.Ordinal);

    private const int AccountBufferStart = 1024;
    private const int AccountBufferLimit = 1 << 20;

    /// <summary>The name of user <paramref name="uid"/>, or null if the system does not know it.</summary>
    public static string? UserName(uint uid) => UserNames.GetOrAdd(uid, static id => LookUpAccount(buffer =>
    {
        LibC.Passwd entry;
        LibC.Passwd* result;
        fixed (byte* b = buffer)
        {
            int error = LibC.getpwuid_r(id, &entry, b, (nuint)buffer.Length, &result);
            return (error, result is null ? null : Text(entry.Name));
        }
    }));

    /// <summary>The name of group <paramref name="gid"/>, or null if the system does not know it.</summary>
    public static string? GroupName(uint gid) => GroupNames.GetOrAdd(gid, static id => LookUpAccount(buffer =>
    {
        LibC.Group entry;
        LibC.Group* result;
        fixed (byte* b = buffer)
        {
            int error = LibC.getgrgid_r(id, &entry, b, (nuint)buffer.Length, &result);
            return (error, result is null ? null : Text(entry.Name));
        }
    }));

    /// <summary>The id of the user called <paramref name="name"/>, or null if there is none.</summary>
    public static uint? UserId(string name) => UserIds.GetOrAdd(name, static n =>
    {
        byte[] cName = Terminated(n);
        return LookUpAccount<uint?>(buffer =>
        {
            LibC.Passwd entry;
            LibC.Passwd* result;
            fixed (byte* b = buffer)
            fixed (byte* c = cName)
            {
                int error = LibC.getpwnam_r(c, &entry, b, (nuint)buffer.Length, &result);
                return (error, result is null ? null : entry.Uid);
            }
        });
    });

    /// <summary>The id of the group called <paramref name="name"/>, or null if there is none.</summary>
    public static uint? GroupId(string name) => GroupIds.GetOrAdd(name, static n =>
    {
        byte[] cName = Terminated(n);
        return LookUpAccount<uint?>(buffer =>
        {
            LibC.Group entry;
            LibC.Group* result;
            fixed (byte* b = buffer)
            fixed (byte* c = cName)
            {
                int error = LibC.getgrnam_r(c, &entry, b, (nuint)buffer.Length, &result);
                return (error, result is null ? null : entry.Gid);
            }
        });
    });

    /// <summary>Runs a *_r lookup with a buffer that grows while the call reports ERANGE; any other error reads as "unknown".</summary>
    private static T? LookUpAccount<T>(Func<byte[], (int Error, T? Value)> lookUp)
    {
        for (int size = AccountBufferStart; size <= AccountBufferLimit; size *= 2)
        {
            (int error, T? value) = lookUp(new byte[size]);
            if (error != LibC.ERANGE)
            {
                return value;
            }
        }
        return default;
    }

    private static string Text(byte* cString) => Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(cString));

    private static byte[] Terminated(string name) => name.Contains('\0', StringComparison.Ordinal)
        ? throw new ArgumentException("An account name cannot contain a NUL character.", nameof(name))
        : Encoding.UTF8.GetBytes(name + "\0");
}
