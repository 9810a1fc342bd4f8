using System.Globalization;
using Hort.Server.Dashboard.Text;
using Hort.Server.Notifications;

namespace Hort.Server.Dashboard.Settings;

/// <summary>The Settings page's fields as the browser sends them, and their conversion to <see cref="NotificationSettings"/>.</summary>
public sealed class SettingsForm
{
    public string? SmtpHost { get; set; }

    public string? SmtpPort { get; set; }

    public string? SmtpSecurity { get; set; }

    public string? SmtpUser { get; set; }

    /// <summary>A new password; empty keeps the stored one. Never filled in by the server.</summary>
    public string? SmtpPassword { get; set; }

    public bool ClearPassword { get; set; }

    public string? From { get; set; }

    /// <summary>Addresses, one a line or separated by commas or semicolons.</summary>
    public string? Recipients { get; set; }

    public string? Language { get; set; }

    public string? NoBackupDays { get; set; }

    public string? StorageFullPercent { get; set; }

    public bool WeeklySummary { get; set; }

    public string? SummaryDay { get; set; }

    /// <summary>HH:mm, server time.</summary>
    public string? SummaryTime { get; set; }

    /// <summary>The form showing <paramref name="settings"/>.</summary>
    public static SettingsForm Showing(NotificationSettings settings) => new()
    {
        SmtpHost = settings.SmtpHost,
        SmtpPort = settings.SmtpPort.ToString(CultureInfo.InvariantCulture),
        SmtpSecurity = settings.SmtpSecurity.ToString(),
        SmtpUser = settings.SmtpUser,
        From = settings.From,
        Recipients = string.Join('\n', settings.Recipients),
        Language = settings.Language,
        NoBackupDays = settings.NoBackupDays.ToString(CultureInfo.InvariantCulture),
        StorageFullPercent = settings.StorageFullPercent.ToString(CultureInfo.InvariantCulture),
        WeeklySummary = settings.WeeklySummary,
        SummaryDay = settings.SummaryDay.ToString(),
        SummaryTime = settings.SummaryTime.ToString("HH:mm", CultureInfo.InvariantCulture),
    };

    /// <summary>The password change the form asks for: null keeps the stored one, empty removes it.</summary>
    public string? PasswordChange => ClearPassword ? "" : SmtpPassword is { Length: > 0 } p ? p : null;

    /// <summary>
    /// The settings the form describes; fields that are not numbers, choices or times are added to
    /// <paramref name="problems"/> in the page's language (the settings' own checks come after, in <see cref="NotificationSettings.Problems"/>).
    /// </summary>
    public NotificationSettings ToSettings(PageText text, List<string> problems)
    {
        var defaults = new NotificationSettings();
        return new NotificationSettings
        {
            SmtpHost = (SmtpHost ?? "").Trim(),
            SmtpPort = Number(SmtpPort, "settings.port", defaults.SmtpPort),
            SmtpSecurity = Choice(SmtpSecurity, "settings.security", defaults.SmtpSecurity),
            SmtpUser = (SmtpUser ?? "").Trim(),
            From = (From ?? "").Trim(),
            Recipients = NotificationSettings.ParseRecipients(Recipients),
            Language = (Language ?? "").Trim() is { Length: > 0 } language ? language : defaults.Language,
            NoBackupDays = Number(NoBackupDays, "settings.noBackupDays", defaults.NoBackupDays),
            StorageFullPercent = Number(StorageFullPercent, "settings.storagePercent", defaults.StorageFullPercent),
            WeeklySummary = WeeklySummary,
            SummaryDay = Choice(SummaryDay, "settings.summaryDay", defaults.SummaryDay),
            SummaryTime = Time(SummaryTime, "settings.summaryTime", defaults.SummaryTime),
        };

        int Number(string? value, string label, int fallback)
        {
            if (int.TryParse((value ?? "").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return n;
            problems.Add(text.Format("settings.notNumber", text[label], value ?? ""));
            return fallback;
        }

        T Choice<T>(string? value, string label, T fallback) where T : struct, Enum
        {
            if (Enum.TryParse<T>((value ?? "").Trim(), ignoreCase: false, out var choice) && Enum.IsDefined(choice) && !int.TryParse(value, out _)) return choice;
            problems.Add(text.Format("settings.badChoice", text[label], value ?? ""));
            return fallback;
        }

        TimeOnly Time(string? value, string label, TimeOnly fallback)
        {
            if (TimeOnly.TryParseExact((value ?? "").Trim(), ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t;
            problems.Add(text.Format("settings.badTime", text[label], value ?? ""));
            return fallback;
        }
    }
}
