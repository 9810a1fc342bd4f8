using Hort.Protocol;

namespace Hort.Agent.Tests;

public sealed class MountTableTests
{
    private static readonly string[] Sample =
    [
        "22 1 259:2 / / rw,relatime shared:1 - ext4 /dev/nvme0n1p2 rw",
        "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw",
        "24 22 0:22 / /sys rw,nosuid shared:2 - sysfs sysfs rw",
        "25 22 0:5 / /dev rw,nosuid shared:8 - devtmpfs udev rw",
        "26 22 0:25 / /run rw,nosuid shared:14 - tmpfs tmpfs rw",
        "27 22 259:3 / /home rw,relatime shared:30 - ext4 /dev/nvme0n1p3 rw",
        "28 27 0:50 / /home/ann/NAS\\040share rw,relatime shared:40 - cifs //nas/share rw",
        "29 27 0:51 / /home/ann/.gvfs rw,nosuid shared:41 - fuse.gvfsd-fuse gvfsd-fuse rw",
        "30 22 0:52 / /mnt/backup rw shared:42 - nfs4 server:/export rw",
    ];

    [Fact]
    public void Mountinfo_lines_give_mount_points_with_escapes_undone_and_types()
    {
        var mounts = MountTable.Parse(Sample);
        Assert.Equal(9, mounts.Count);
        Assert.Contains(new Mount("/home/ann/NAS share", "cifs"), mounts);
        Assert.Contains(new Mount("/proc", "proc"), mounts);
    }

    [Fact]
    public void A_whole_system_backup_skips_virtual_and_network_file_systems_but_not_local_disks()
    {
        var skipped = MountTable.SkippedBelow(PolicyDto.Default.Include, MountTable.Parse(Sample));
        Assert.Equal(["/proc", "/sys", "/dev", "/run", "/home/ann/NAS share", "/home/ann/.gvfs", "/mnt/backup"], skipped);
    }

    [Fact]
    public void Only_mounts_below_an_included_path_are_excluded_and_a_named_path_is_kept()
    {
        var mounts = MountTable.Parse(Sample);
        Assert.Equal(["/home/ann/NAS share", "/home/ann/.gvfs"], MountTable.SkippedBelow(["/home"], mounts));
        Assert.Empty(MountTable.SkippedBelow(["/mnt/backup"], mounts));
    }

    [Fact]
    public void The_policy_excludes_come_first_then_the_skipped_mounts()
    {
        var excludes = BackupJob.Excludes(PolicyDto.Default, MountTable.Parse(Sample));
        Assert.Equal(PolicyDto.Default.Exclude, excludes.Take(PolicyDto.Default.Exclude.Count));
        Assert.Contains("/mnt/backup", excludes);
    }

    [Fact]
    public void This_machines_mount_table_can_be_read()
    {
        Assert.Contains(MountTable.Read(), m => m.MountPoint == "/");
    }
}
