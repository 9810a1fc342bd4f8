using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Hort.Engine.FileSystem;

public static partial class PosixFileSystem
{
    /// <summary>"/proc/self/fd/" plus up to 10 digits and a NUL.</summary>
    internal const int ProcFdPathSize = 32;

    /// <summary>The UTF-8 bytes of a path typed by a user.</summary>
    public static byte[] ToBytes(string path)
    {
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A path cannot contain a NUL character.", nameof(path));
        }
        return Encoding.UTF8.GetBytes(path);
    }

    /// <summary>
    /// A path or name for people to read: valid UTF-8 as text; invalid bytes and control characters (which could
    /// steer a terminal) as \xNN per byte. Not meant to be parsed back.
    /// </summary>
    public static string Display(ReadOnlySpan<byte> pathOrName)
    {
        var text = new StringBuilder(pathOrName.Length);
        while (!pathOrName.IsEmpty)
        {
            OperationStatus status = Rune.DecodeFromUtf8(pathOrName, out Rune rune, out int consumed);
            if (status == OperationStatus.Done && !Rune.IsControl(rune))
            {
                text.Append(rune.ToString());
            }
            else
            {
                foreach (byte b in pathOrName[..consumed])
                {
                    text.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
                }
            }
            pathOrName = pathOrName[consumed..];
        }
        return text.ToString();
    }

    /// <summary><paramref name="dir"/> + '/' + <paramref name="name"/>, without doubling a slash <paramref name="dir"/> ends with (as "/" does).</summary>
    public static byte[] Join(ReadOnlySpan<byte> dir, ReadOnlySpan<byte> name)
    {
        if (dir.IsEmpty)
        {
            return name.ToArray();
        }
        bool slash = dir[^1] != (byte)'/';
        byte[] joined = new byte[dir.Length + (slash ? 1 : 0) + name.Length];
        dir.CopyTo(joined);
        if (slash)
        {
            joined[dir.Length] = (byte)'/';
        }
        name.CopyTo(joined.AsSpan(joined.Length - name.Length));
        return joined;
    }

    /// <summary>Writes "/proc/self/fd/N\0" for the descriptor, the path through which the kernel reaches exactly that open file.</summary>
    internal static ReadOnlySpan<byte> ProcFdPath(SafeFileHandle fd, Span<byte> buffer)
    {
        ReadOnlySpan<byte> prefix = "/proc/self/fd/"u8;
        prefix.CopyTo(buffer);
        int number = (int)fd.DangerousGetHandle();
        number.TryFormat(buffer[prefix.Length..], out int digits, provider: CultureInfo.InvariantCulture);
        buffer[prefix.Length + digits] = 0;
        return buffer[..(prefix.Length + digits + 1)];
    }

    /// <summary>For messages: the path the kernel has for an open descriptor, or "descriptor N" when it has none.</summary>
    internal static unsafe string Describe(SafeFileHandle fd)
    {
        Span<byte> procPath = stackalloc byte[ProcFdPathSize];
        byte* target = stackalloc byte[1024];
        fixed (byte* proc = ProcFdPath(fd, procPath))
        {
            nint length = LibC.readlinkat(LibC.AT_FDCWD, proc, target, 1024);
            return length > 0 ? Display(new ReadOnlySpan<byte>(target, (int)length)) : $"descriptor {fd.DangerousGetHandle()}";
        }
    }
}
