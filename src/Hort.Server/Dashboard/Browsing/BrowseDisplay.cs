using System.Globalization;
using Hort.Repository.Trees;

namespace Hort.Server.Dashboard.Browsing;

/// <summary>How the browse page shows sizes, times and permissions, in the request's culture.</summary>
public static class BrowseDisplay
{
    private static readonly string[] Units = ["B", "KB", "MB", "GB", "TB"];

    /// <summary>"12.3 MB" (powers of 1024), "512 B".</summary>
    public static string Size(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? bytes.ToString("N0", CultureInfo.CurrentCulture) + " B"
            : value.ToString(value < 10 ? "N1" : "N0", CultureInfo.CurrentCulture) + " " + Units[unit];
    }

    /// <summary>Local date and time in the request's culture.</summary>
    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("g", CultureInfo.CurrentCulture);

    /// <summary><c>ls -l</c> style: "drwxr-xr-x", "-rw-r-----", "lrwxrwxrwx".</summary>
    public static string Mode(NodeType type, uint mode)
    {
        Span<char> s = stackalloc char[10];
        s[0] = type switch
        {
            NodeType.Directory => 'd',
            NodeType.Symlink => 'l',
            NodeType.Fifo => 'p',
            NodeType.CharDevice => 'c',
            NodeType.BlockDevice => 'b',
            NodeType.Socket => 's',
            _ => '-',
        };
        const string rwx = "rwxrwxrwx";
        for (var i = 0; i < 9; i++)
        {
            s[i + 1] = (mode & (1u << (8 - i))) != 0 ? rwx[i] : '-';
        }

        if ((mode & 0x800) != 0) s[3] = s[3] == 'x' ? 's' : 'S';
        if ((mode & 0x400) != 0) s[6] = s[6] == 'x' ? 's' : 'S';
        if ((mode & 0x200) != 0) s[9] = s[9] == 'x' ? 't' : 'T';
        return new string(s);
    }
}
