namespace Hort.Server.Maintenance;

/// <summary>
/// When hortd applies retention, prunes and verifies the repository (section <c>Maintenance</c> of <c>hortd.json</c>,
/// <c>HORTD_Maintenance__*</c> variables). Times are the server's local time.
/// </summary>
public sealed class MaintenanceOptions
{
    /// <summary>False turns every scheduled run off (runs asked for through the API still happen).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Retention runs every day at this time, after the backup window of the default policy (18:00–09:00).</summary>
    public TimeOnly RetentionTime { get; set; } = new(9, 30);

    /// <summary>The day of the weekly prune.</summary>
    public DayOfWeek PruneDay { get; set; } = DayOfWeek.Sunday;

    /// <summary>The time of the weekly prune.</summary>
    public TimeOnly PruneTime { get; set; } = new(10, 0);

    /// <summary>Prune repacks a pack when more than this percentage of its bytes is unused (as <c>hort prune --max-unused</c>).</summary>
    public double PruneMaxUnusedPercent { get; set; } = 5;

    /// <summary>Verification runs every day at this time.</summary>
    public TimeOnly VerifyTime { get; set; } = new(11, 0);

    /// <summary>
    /// Each verification also reads and verifies 1/N of the packs, continuing where the last stopped, so all data is read
    /// once every N days; 0 checks the structure only.
    /// </summary>
    public int VerifyReadAllDataDays { get; set; } = 7;

    /// <summary>
    /// How long a deletion announced by a prune waits for backup sessions that were open when it was announced before
    /// hortd acknowledges it anyway. A session older than this that relied on deleted data is refused at commit (and its
    /// next run uploads that data again); it never commits over deleted data.
    /// </summary>
    public int WaitForSessionsHours { get; set; } = 12;

    /// <summary>Every problem with these settings, as sentences.</summary>
    public IEnumerable<string> Problems()
    {
        if (PruneMaxUnusedPercent is < 0 or > 100 || double.IsNaN(PruneMaxUnusedPercent))
            yield return $"Maintenance:PruneMaxUnusedPercent {PruneMaxUnusedPercent} is outside 0..100";
        if (VerifyReadAllDataDays is < 0 or > 365) yield return $"Maintenance:VerifyReadAllDataDays {VerifyReadAllDataDays} is outside 0..365";
        if (WaitForSessionsHours is < 0 or > 24 * 7) yield return $"Maintenance:WaitForSessionsHours {WaitForSessionsHours} is outside 0..168";
    }
}
