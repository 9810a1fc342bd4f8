namespace Hort.Protocol;

/// <summary>When backups may start: every day between <see cref="Start"/> and <see cref="End"/> in the PC's local time.</summary>
/// <remarks>An end earlier than the start means the window runs past midnight (18:00–09:00).</remarks>
public sealed record BackupWindow(TimeOnly Start, TimeOnly End)
{
    /// <summary>The latest opening of the window at or before <paramref name="now"/>, in <paramref name="zone"/>.</summary>
    public DateTimeOffset LatestOpening(DateTimeOffset now, TimeZoneInfo zone) => InZone(LatestLocalOpening(now, zone), zone);

    /// <summary>The first opening of the window after <paramref name="now"/>, in <paramref name="zone"/>: a day after the latest.</summary>
    public DateTimeOffset NextOpening(DateTimeOffset now, TimeZoneInfo zone) => InZone(LatestLocalOpening(now, zone).AddDays(1), zone);

    private DateTime LatestLocalOpening(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var today = local.Date + Start.ToTimeSpan();
        return today <= local.DateTime ? today : today.AddDays(-1);
    }

    private static DateTimeOffset InZone(DateTime local, TimeZoneInfo zone) => new(local, zone.GetUtcOffset(local));
}

/// <summary>How many snapshots of each kind retention keeps, judged by the server's receive time.</summary>
public sealed record RetentionRule(int Daily, int Weekly, int Monthly);

/// <summary>What a PC backs up, when, and what is kept (protocol.md §6).</summary>
public sealed record PolicyDto(
    IReadOnlyList<string> Include,
    IReadOnlyList<string> Exclude,
    BackupWindow Window,
    RetentionRule Keep,
    int Concurrency)
{
    public const int MaxPatterns = 1000;
    public const int MaxPatternLength = 4096;
    public const int MaxKeep = 10_000;
    public const int MaxConcurrency = 16;

    /// <summary>
    /// The Windows Server Essentials defaults: the whole system minus caches, temporary folders and virtual file
    /// systems; daily between 18:00 and 09:00; keep 5 daily, 4 weekly, 6 monthly; one backup at a time.
    /// </summary>
    public static PolicyDto Default { get; } = new(
        ["/"],
        [
            "/tmp", "/var/tmp", "/var/cache", "/proc", "/sys", "/dev", "/run", "/swapfile",
            "**/.cache", "**/node_modules/.cache", "**/Temp", "**/*.tmp",
        ],
        new BackupWindow(new TimeOnly(18, 0), new TimeOnly(9, 0)),
        new RetentionRule(5, 4, 6),
        1);

    /// <summary>Every problem with this policy (empty when valid); a policy from a request may have null members.</summary>
    public IReadOnlyList<string> Problems() => [.. Check().Select(p => p.Message)];

    /// <summary>Every problem with this policy, each with the member it concerns and its rule (empty when valid).</summary>
    public IReadOnlyList<PolicyProblem> Check()
    {
        var problems = new List<PolicyProblem>();
        CheckPatterns(Include, PolicyField.Include, "include", problems);
        CheckPatterns(Exclude, PolicyField.Exclude, "exclude", problems);
        if (Include is { Count: 0 }) problems.Add(new(PolicyField.Include, PolicyRule.NoInclude, "include must name at least one path"));
        if (Include is not null && Include.Any(p => p is not null && !p.StartsWith('/')))
            problems.Add(new(PolicyField.Include, PolicyRule.RelativeInclude, "include paths must be absolute"));
        if (Window is null) problems.Add(new(PolicyField.Window, PolicyRule.Missing, "window is required"));
        else if (Window.Start == Window.End) problems.Add(new(PolicyField.Window, PolicyRule.EmptyWindow, "window start and end must differ"));
        if (Keep is null) problems.Add(new(PolicyField.Keep, PolicyRule.Missing, "keep is required"));
        else if (Keep.Daily is < 0 or > MaxKeep || Keep.Weekly is < 0 or > MaxKeep || Keep.Monthly is < 0 or > MaxKeep)
            problems.Add(new(PolicyField.Keep, PolicyRule.KeepRange, $"keep counts must be between 0 and {MaxKeep}"));
        else if (Keep.Daily + Keep.Weekly + Keep.Monthly == 0) problems.Add(new(PolicyField.Keep, PolicyRule.KeepNothing, "keep must keep at least one snapshot"));
        if (Concurrency is < 1 or > MaxConcurrency)
            problems.Add(new(PolicyField.Concurrency, PolicyRule.ConcurrencyRange, $"concurrency must be between 1 and {MaxConcurrency}"));
        return problems;
    }

    private static void CheckPatterns(IReadOnlyList<string>? patterns, PolicyField field, string what, List<PolicyProblem> problems)
    {
        if (patterns is null)
        {
            problems.Add(new(field, PolicyRule.Missing, $"{what} is required"));
            return;
        }

        if (patterns.Count > MaxPatterns) problems.Add(new(field, PolicyRule.TooManyPatterns, $"{what} has more than {MaxPatterns} patterns"));
        if (patterns.Any(p => string.IsNullOrEmpty(p) || p.Length > MaxPatternLength || p.Contains('\0', StringComparison.Ordinal)))
            problems.Add(new(field, PolicyRule.BadPattern, $"{what} patterns must be non-empty, at most {MaxPatternLength} characters, without NUL"));
    }
}

/// <summary>The member of a <see cref="PolicyDto"/> a problem concerns.</summary>
public enum PolicyField
{
    Include,
    Exclude,
    Window,
    Keep,
    Concurrency,
}

/// <summary>Which rule of <see cref="PolicyDto.Check"/> a policy breaks (lets a user interface word it in its own language).</summary>
public enum PolicyRule
{
    Missing,
    TooManyPatterns,
    BadPattern,
    NoInclude,
    RelativeInclude,
    EmptyWindow,
    KeepRange,
    KeepNothing,
    ConcurrencyRange,
}

/// <summary>One problem of a policy: the member, the rule and an English message.</summary>
public sealed record PolicyProblem(PolicyField Field, PolicyRule Rule, string Message);

/// <summary>Where a PC's effective policy comes from.</summary>
public enum PolicySource
{
    Default,
    Group,
    Pc,
}

/// <summary>GET /api/v1/pcs/{pcId}/policy: the policy that applies and where it comes from.</summary>
public sealed record EffectivePolicyResponse(PolicyDto Policy, PolicySource Source);
