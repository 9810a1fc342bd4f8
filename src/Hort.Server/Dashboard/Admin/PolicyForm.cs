using System.Globalization;
using Hort.Protocol;
using Hort.Server.Dashboard.Text;

namespace Hort.Server.Dashboard.Admin;

/// <summary>
/// A policy as the Policies page edits it: text fields as the browser posts them (times as HH:mm, counts as numbers,
/// paths one per line). <see cref="Read"/> turns them into a <see cref="PolicyDto"/> or says, per field, what is not a
/// time or a number; whether the policy is acceptable is <see cref="PolicyDto.Check"/>'s call, worded by <see cref="Describe"/>.
/// </summary>
public sealed class PolicyForm
{
    public string? WindowStart { get; set; }

    public string? WindowEnd { get; set; }

    public string? KeepDaily { get; set; }

    public string? KeepWeekly { get; set; }

    public string? KeepMonthly { get; set; }

    public string? Include { get; set; }

    public string? Exclude { get; set; }

    public string? Concurrency { get; set; }

    /// <summary>The form showing <paramref name="policy"/>.</summary>
    public static PolicyForm Of(PolicyDto policy) => new()
    {
        WindowStart = Time(policy.Window.Start),
        WindowEnd = Time(policy.Window.End),
        KeepDaily = Number(policy.Keep.Daily),
        KeepWeekly = Number(policy.Keep.Weekly),
        KeepMonthly = Number(policy.Keep.Monthly),
        Include = string.Join('\n', policy.Include),
        Exclude = string.Join('\n', policy.Exclude),
        Concurrency = Number(policy.Concurrency),
    };

    /// <summary>
    /// The policy the fields describe, or null with <paramref name="errors"/> saying which fields are not a time or a
    /// whole number. Lines are trimmed; blank lines are ignored.
    /// </summary>
    public PolicyDto? Read(PageText text, IDictionary<PolicyField, string> errors)
    {
        var start = ParseTime(WindowStart);
        var end = ParseTime(WindowEnd);
        if (start is null || end is null) errors[PolicyField.Window] = text["policies.error.time"];
        var daily = ParseCount(KeepDaily);
        var weekly = ParseCount(KeepWeekly);
        var monthly = ParseCount(KeepMonthly);
        if (daily is null || weekly is null || monthly is null) errors[PolicyField.Keep] = text["policies.error.number"];
        var concurrency = ParseCount(Concurrency);
        if (concurrency is null) errors[PolicyField.Concurrency] = text["policies.error.number"];
        if (errors.Count > 0) return null;
        return new PolicyDto(Lines(Include), Lines(Exclude), new BackupWindow(start!.Value, end!.Value),
            new RetentionRule(daily!.Value, weekly!.Value, monthly!.Value), concurrency!.Value);
    }

    /// <summary>What a broken rule means, in the page's language.</summary>
    public static string Describe(PolicyProblem problem, PageText text) => problem.Rule switch
    {
        PolicyRule.TooManyPatterns => text.Format("policies.rule.tooMany", PolicyDto.MaxPatterns),
        PolicyRule.BadPattern => text.Format("policies.rule.badPattern", PolicyDto.MaxPatternLength),
        PolicyRule.NoInclude => text["policies.rule.noInclude"],
        PolicyRule.RelativeInclude => text["policies.rule.relativeInclude"],
        PolicyRule.EmptyWindow => text["policies.rule.emptyWindow"],
        PolicyRule.KeepRange => text.Format("policies.rule.keepRange", PolicyDto.MaxKeep),
        PolicyRule.KeepNothing => text["policies.rule.keepNothing"],
        PolicyRule.ConcurrencyRange => text.Format("policies.rule.concurrencyRange", PolicyDto.MaxConcurrency),
        _ => problem.Message,
    };

    private static List<string> Lines(string? value) =>
        [.. (value ?? "").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    private static TimeOnly? ParseTime(string? value) =>
        TimeOnly.TryParseExact(value?.Trim(), ["HH:mm", "HH:mm:ss", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;

    private static int? ParseCount(string? value) =>
        int.TryParse(value?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static string Time(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}
