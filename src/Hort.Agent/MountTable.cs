using System.Text;

namespace Hort.Agent;

/// <summary>One mount of /proc/self/mountinfo: where it is and its file-system type.</summary>
public sealed record Mount(string MountPoint, string FileSystemType);

/// <summary>
/// Reads the mount table so a whole-system backup skips virtual and network file systems (protocol.md §6): their
/// contents are not this PC's data (proc, sysfs, tmpfs …) or belong to another machine (nfs, cifs …).
/// </summary>
public static class MountTable
{
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal)
    {
        "proc", "sysfs", "tmpfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "overlay", "nfs", "nfs4", "cifs", "smb3", "smbfs",
        "autofs", "mqueue", "debugfs", "tracefs", "securityfs", "pstore", "bpf", "hugetlbfs", "configfs", "fusectl",
        "binfmt_misc", "efivarfs", "ramfs", "nsfs", "rpc_pipefs", "9p", "ceph", "glusterfs", "afs", "sshfs", "davfs",
    };

    /// <summary>True for the file-system types a whole-system backup does not enter.</summary>
    public static bool IsVirtualOrNetwork(string type) => Skipped.Contains(type) || type.StartsWith("fuse.", StringComparison.Ordinal) || type == "fuse";

    /// <summary>The mounts of this process's mount namespace.</summary>
    public static IReadOnlyList<Mount> Read(string path = "/proc/self/mountinfo") => File.Exists(path) ? Parse(File.ReadAllLines(path)) : [];

    /// <summary>Parses mountinfo lines: "id parent major:minor root mountpoint options [optional…] - type source superoptions".</summary>
    public static IReadOnlyList<Mount> Parse(IEnumerable<string> lines)
    {
        var mounts = new List<Mount>();
        foreach (var line in lines)
        {
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || separator < 6 || separator + 1 >= fields.Length) continue;
            mounts.Add(new Mount(Unescape(fields[4]), fields[separator + 1]));
        }

        return mounts;
    }

    /// <summary>
    /// Exclude patterns for the virtual and network mounts strictly below the included paths (a path the policy names
    /// itself is backed up whatever its file system, because someone asked for it).
    /// </summary>
    public static IReadOnlyList<string> SkippedBelow(IEnumerable<string> includes, IReadOnlyList<Mount> mounts)
    {
        var result = new List<string>();
        var roots = includes.Select(i => i.Length > 1 ? i.TrimEnd('/') : i).ToList();
        foreach (var mount in mounts)
        {
            if (!IsVirtualOrNetwork(mount.FileSystemType)) continue;
            if (roots.Any(r => mount.MountPoint != r && (r == "/" || mount.MountPoint.StartsWith(r + "/", StringComparison.Ordinal))))
            {
                result.Add(EscapeGlob(mount.MountPoint));
            }
        }

        return [.. result.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Mountinfo writes space, tab, newline and backslash as octal escapes (\040 …).</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal)) return field;
        var bytes = new List<byte>();
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && IsOctal(field, i + 1))
            {
                bytes.Add((byte)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(field[i].ToString()));
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static bool IsOctal(string s, int at) =>
        at + 3 <= s.Length && s[at] is >= '0' and <= '3' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';

    /// <summary>Escapes the characters exclude patterns treat as wildcards, so a mount point matches only itself.</summary>
    private static string EscapeGlob(string path)
    {
        var text = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c is '*' or '?' or '[' or ']' or '\\') text.Append('\\');
            text.Append(c);
        }

        return text.ToString();
    }
}
