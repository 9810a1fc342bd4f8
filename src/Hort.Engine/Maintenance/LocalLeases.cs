using Hort.Repository.Maintenance;

namespace Hort.Engine.Maintenance;

/// <summary>How this program identifies itself in leases and locks, and how it tells that a holder has gone.</summary>
public static class LocalLeases
{
    private static readonly Lazy<string> InstanceId = new(ReadInstance);

    /// <summary>This process: host name, process ID and the boot and PID namespace it runs in.</summary>
    public static LeaseOwner Owner => new(Environment.MachineName, Environment.ProcessId, InstanceId.Value);

    /// <summary>
    /// A holder on this machine (same host name, same boot, same PID namespace) whose process no longer runs is gone
    /// at once: a killed backup or prune blocks nothing and needs no unlock. Others go stale after 30 minutes.
    /// </summary>
    public static LeaseOptions Leases { get; } = new()
    {
        IsHolderGone = static holder => holder.Instance.Length > 0
                                        && holder.Instance == InstanceId.Value
                                        && holder.Hostname == Environment.MachineName
                                        && !Directory.Exists($"/proc/{holder.Pid}"),
    };

    private static string ReadInstance()
    {
        try
        {
            var boot = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            var pidNamespace = new FileInfo("/proc/self/ns/pid").LinkTarget ?? "";
            return boot.Length == 0 || pidNamespace.Length == 0 ? "" : $"{boot} {pidNamespace}";
        }
        catch (IOException)
        {
            return ""; // no /proc: holders are judged by age alone
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
