using System.Globalization;
using System.Net;
using System.Text;
using Hort.Protocol;

namespace Hort.Server.Notifications;

/// <summary>The words of Hort's e-mails in English and German (the language is a setting; German uses "Sie").</summary>
internal sealed class MailTexts
{
    private static readonly Dictionary<string, (string En, string De)> Words = new(StringComparer.Ordinal)
    {
        ["Warning"] = ("Warning", "Warnung"),
        ["Error"] = ("Error", "Fehler"),
        [AlertKinds.RetentionFailed] = ("Retention failed", "Aufbewahrung fehlgeschlagen"),
        [AlertKinds.PruneFailed] = ("Prune failed", "Bereinigung fehlgeschlagen"),
        [AlertKinds.PruneRefused] = ("Prune refused", "Bereinigung abgelehnt"),
        [AlertKinds.PruneDeferred] = ("Prune waits", "Bereinigung wartet"),
        [AlertKinds.VerifyFailed] = ("Verification failed", "Prüfung fehlgeschlagen"),
        [AlertKinds.DamageFound] = ("Damaged data found", "Beschädigte Daten gefunden"),
        [AlertKinds.BackupFailed] = ("Backup failed", "Sicherung fehlgeschlagen"),
        [AlertKinds.BackupPartial] = ("Backup incomplete", "Sicherung unvollständig"),
        [AlertKinds.NoBackup] = ("No backup", "Keine Sicherung"),
        [AlertKinds.StorageFull] = ("Storage nearly full", "Speicher fast voll"),
        ["alert.intro"] = ("Hort found a problem.", "Hort hat ein Problem festgestellt."),
        ["alert.kind"] = ("Kind", "Art"),
        ["alert.pc"] = ("PC", "PC"),
        ["alert.subject"] = ("Concerns", "Betrifft"),
        ["alert.time"] = ("Time", "Zeit"),
        ["alert.details"] = ("Details", "Einzelheiten"),
        ["alert.outro"] = (
            "Hort mails each problem once. Acknowledge it on the dashboard's Alerts page once it is dealt with.",
            "Hort meldet jedes Problem einmal per E-Mail. Bitte bestätigen Sie es auf der Seite „Warnungen“ im Dashboard, sobald es erledigt ist."),
        ["summary.subject"] = ("Weekly summary: {0} PC(s), {1} need(s) attention", "Wochenbericht: {0} PC(s), {1} mit Handlungsbedarf"),
        ["summary.intro"] = ("Hort's weekly summary of {0}.", "Hort-Wochenbericht vom {0}."),
        ["summary.pcs"] = ("PCs", "PCs"),
        ["summary.name"] = ("PC", "PC"),
        ["summary.last"] = ("Last successful backup", "Letzte erfolgreiche Sicherung"),
        ["summary.days"] = ("Days since", "Tage seitdem"),
        ["summary.state"] = ("State", "Zustand"),
        ["summary.never"] = ("never", "nie"),
        ["summary.none"] = ("No PC is enrolled yet.", "Noch kein PC ist angemeldet."),
        ["state.Ok"] = ("OK", "OK"),
        ["state.Attention"] = ("Open alerts", "Offene Warnungen"),
        ["state.NoBackup"] = ("No backup for {0} days or more", "Seit {0} Tagen oder länger keine Sicherung"),
        ["summary.alerts"] = ("Open alerts", "Offene Warnungen"),
        ["summary.noAlerts"] = ("No open alerts.", "Keine offenen Warnungen."),
        ["summary.storage"] = ("Storage", "Speicher"),
        ["summary.size"] = ("Repository size", "Größe des Repositorys"),
        ["summary.growth"] = ("Growth in 7 days", "Zuwachs in 7 Tagen"),
        ["summary.free"] = ("Free space", "Freier Speicher"),
        ["summary.unknown"] = ("unknown", "unbekannt"),
        ["test.subject"] = ("Test e-mail from Hort", "Test-E-Mail von Hort"),
        ["test.body"] = (
            "This test e-mail shows that Hort can send alerts and the weekly summary with these settings.",
            "Diese Test-E-Mail zeigt, dass Hort mit diesen Einstellungen Warnungen und den Wochenbericht senden kann."),
    };

    private readonly bool _german;

    // Numbers and times are written the same in both languages (ISO dates, 24-hour times) but for the decimal comma,
    // so the mails need no culture data (hortd may run with invariant globalization).
    public MailTexts(string language, TimeZoneInfo zone)
    {
        _german = language == "de";
        Zone = zone;
    }

    public TimeZoneInfo Zone { get; }

    public string this[string key] => Words.TryGetValue(key, out var w) ? (_german ? w.De : w.En) : key;

    public string Format(string key, params object[] args) => string.Format(CultureInfo.InvariantCulture, this[key], args);

    /// <summary>A time in the server's zone, e.g. "2026-11-30 08:00 (UTC+01:00)".</summary>
    public string Time(DateTimeOffset time)
    {
        var local = TimeZoneInfo.ConvertTime(time, Zone);
        return local.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " (UTC" + local.ToString("zzz", CultureInfo.InvariantCulture) + ")";
    }

    /// <summary>Bytes in binary units, e.g. "1.5 GiB" or "1,5 GiB".</summary>
    public string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        double value = Math.Abs(bytes);
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        var number = value.ToString(unit == 0 ? "0" : "0.0", CultureInfo.InvariantCulture);
        return (bytes < 0 ? "-" : "") + (_german ? number.Replace('.', ',') : number) + " " + units[unit];
    }

    /// <summary>A mail from a title, an introduction and sections of rows (label, value) or lines.</summary>
    public static MailContent Compose(string subject, string intro, IReadOnlyList<MailSection> sections, string? outro)
    {
        var text = new StringBuilder().AppendLine(intro).AppendLine();
        var html = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:sans-serif\">")
            .Append("<p>").Append(H(intro)).Append("</p>");
        foreach (var section in sections)
        {
            if (section.Heading is { } heading)
            {
                text.AppendLine(heading).AppendLine(new string('-', heading.Length));
                html.Append("<h2 style=\"font-size:1.1em\">").Append(H(heading)).Append("</h2>");
            }

            if (section.Columns is { } columns)
            {
                text.AppendLine(string.Join(" | ", columns));
                html.Append("<table style=\"border-collapse:collapse\"><tr>");
                foreach (var c in columns) html.Append("<th style=\"text-align:left;padding:2px 8px\">").Append(H(c)).Append("</th>");
                html.Append("</tr>");
                foreach (var row in section.Rows)
                {
                    text.AppendLine(string.Join(" | ", row));
                    html.Append("<tr>");
                    foreach (var cell in row) html.Append("<td style=\"padding:2px 8px\">").Append(H(cell)).Append("</td>");
                    html.Append("</tr>");
                }

                html.Append("</table>");
            }
            else
            {
                html.Append("<table style=\"border-collapse:collapse\">");
                foreach (var row in section.Rows)
                {
                    text.AppendLine(row.Count == 2 ? $"{row[0]}: {row[1]}" : string.Join(" ", row));
                    html.Append("<tr>");
                    if (row.Count == 2) html.Append("<th style=\"text-align:left;padding:2px 8px\">").Append(H(row[0])).Append("</th><td style=\"padding:2px 8px\">").Append(H(row[1])).Append("</td>");
                    else html.Append("<td style=\"padding:2px 8px\">").Append(H(string.Join(" ", row))).Append("</td>");
                    html.Append("</tr>");
                }

                html.Append("</table>");
            }

            text.AppendLine();
        }

        if (outro is not null)
        {
            text.AppendLine(outro);
            html.Append("<p>").Append(H(outro)).Append("</p>");
        }

        return new MailContent("[Hort] " + subject, text.ToString(), html.Append("</body></html>").ToString());
    }

    private static string H(string text) => WebUtility.HtmlEncode(text);
}

/// <summary>Part of a mail: an optional heading, and rows — a table under <see cref="Columns"/>, or label/value pairs.</summary>
internal sealed record MailSection(string? Heading, IReadOnlyList<string>? Columns, IReadOnlyList<IReadOnlyList<string>> Rows);
