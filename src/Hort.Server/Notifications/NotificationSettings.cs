using System.Net.Mail;
using System.Text.Json.Serialization;

namespace Hort.Server.Notifications;

/// <summary>How the connection to the SMTP server is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain SMTP (only for a relay on the same machine or network).</summary>
    None,

    /// <summary>Plain connection upgraded with STARTTLS before anything is sent (usually port 587); refused if the server cannot.</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    Tls,
}

/// <summary>
/// E-mail and alert settings, changed on the Settings page and kept in the catalog. The SMTP password is not part of
/// them: <see cref="NotificationSettingsStore"/> keeps it apart, protected.
/// </summary>
public sealed record NotificationSettings
{
    public const int MaxRecipients = 20;

    /// <summary>The SMTP server; empty turns e-mail off.</summary>
    public string SmtpHost { get; init; } = "";

    public int SmtpPort { get; init; } = 587;

    public SmtpSecurity SmtpSecurity { get; init; } = SmtpSecurity.StartTls;

    /// <summary>The SMTP user name; empty sends without logging in.</summary>
    public string SmtpUser { get; init; } = "";

    /// <summary>The sender address, e.g. <c>Hort &lt;hort@example.com&gt;</c>.</summary>
    public string From { get; init; } = "";

    /// <summary>Who receives alerts and the weekly summary.</summary>
    public IReadOnlyList<string> Recipients { get; init; } = [];

    /// <summary>Language of the e-mails: <c>en</c> or <c>de</c>.</summary>
    public string Language { get; init; } = "en";

    /// <summary>A PC without a successful backup for this many days raises an alert (as Windows Server Essentials did).</summary>
    public int NoBackupDays { get; init; } = 3;

    /// <summary>The repository's file system more than this percentage full raises an alert.</summary>
    public int StorageFullPercent { get; init; } = 90;

    public bool WeeklySummary { get; init; } = true;

    public DayOfWeek SummaryDay { get; init; } = DayOfWeek.Monday;

    /// <summary>When the weekly summary is sent, in the server's local time.</summary>
    public TimeOnly SummaryTime { get; init; } = new(8, 0);

    /// <summary>True when a server, a sender and at least one recipient are set.</summary>
    [JsonIgnore]
    public bool MailEnabled => SmtpHost.Length > 0 && From.Length > 0 && Recipients.Count > 0;

    public static readonly IReadOnlyList<string> Languages = ["en", "de"];

    /// <summary>Every problem with these settings, as sentences; empty when they are valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var anyMail = SmtpHost.Length > 0 || From.Length > 0 || Recipients.Count > 0;
        if (anyMail && (SmtpHost.Length == 0 || From.Length == 0 || Recipients.Count == 0))
            problems.Add("to send e-mail, set the SMTP server, the sender address and at least one recipient (or leave all three empty)");
        if (SmtpHost.Length > 0 && (SmtpHost.Length > 253 || Uri.CheckHostName(SmtpHost) == UriHostNameType.Unknown))
            problems.Add($"the SMTP server '{SmtpHost}' is not a host name or IP address");
        if (SmtpPort is < 1 or > 65535) problems.Add($"the SMTP port {SmtpPort} is outside 1..65535");
        if (!Enum.IsDefined(SmtpSecurity)) problems.Add($"the SMTP security '{SmtpSecurity}' is unknown");
        if (SmtpUser.Length > 256 || SmtpUser.Any(char.IsControl)) problems.Add("the SMTP user name is longer than 256 characters or holds control characters");
        if (From.Length > 0 && !IsAddress(From)) problems.Add($"the sender '{From}' is not an e-mail address");
        if (Recipients.Count > MaxRecipients) problems.Add($"at most {MaxRecipients} recipients");
        foreach (var recipient in Recipients.Where(static r => !IsAddress(r)))
            problems.Add($"the recipient '{recipient}' is not an e-mail address");
        if (!Languages.Contains(Language)) problems.Add($"the language '{Language}' is unknown (en or de)");
        if (NoBackupDays is < 1 or > 365) problems.Add($"the days without backup {NoBackupDays} are outside 1..365");
        if (StorageFullPercent is < 50 or > 99) problems.Add($"the storage alert at {StorageFullPercent}% used is outside 50..99");
        if (!Enum.IsDefined(SummaryDay)) problems.Add($"the summary day '{SummaryDay}' is unknown");
        return problems;
    }

    /// <summary>Recipients from text separated by commas, semicolons or line breaks.</summary>
    public static IReadOnlyList<string> ParseRecipients(string? text) =>
        (text ?? "").Split([',', ';', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool IsAddress(string text) =>
        !text.Any(char.IsControl) && MailAddress.TryCreate(text, out var address) && address.Host.Length > 0 && address.User.Length > 0;
}
