using Hort.Server.Hosting;

namespace Hort.Server.Dashboard.Health;

/// <summary>The settings the health rules depend on: the red limit in days, and where the repository's free space is measured.</summary>
public sealed class HealthSettings(HortdOptions options)
{
    /// <summary>Days without a successful backup that turn a PC red.</summary>
    public Task<int> RedDaysAsync(CancellationToken cancellationToken) => Task.FromResult(PcStates.DefaultRedDays);

    /// <summary>The repository file system's free and total bytes, or null when it cannot be asked.</summary>
    public DiskSpaceFigures? Space()
    {
        try
        {
            var drive = new DriveInfo(options.ResolvedRepositoryPath);
            return new DiskSpaceFigures(drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
