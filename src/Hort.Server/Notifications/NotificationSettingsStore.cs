using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hort.Server.Catalog;
using Microsoft.AspNetCore.DataProtection;

namespace Hort.Server.Notifications;

/// <summary>The settings row as stored: the settings, and the SMTP password protected with the server's data-protection keys.</summary>
internal sealed record StoredNotificationSettings(NotificationSettings Settings, string? ProtectedPassword);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(StoredNotificationSettings))]
internal sealed partial class NotificationJson : JsonSerializerContext;

/// <summary>
/// Reads and saves <see cref="NotificationSettings"/> in the catalog's <c>settings</c> table. The SMTP password is
/// stored only protected (ASP.NET Core data protection, keys in the data folder's <c>keys</c>), never in clear, and
/// is handed out only to the mail sender.
/// </summary>
public sealed class NotificationSettingsStore(ServerCatalog catalog, IDataProtectionProvider protection)
{
    /// <summary>The row's name in the <c>settings</c> table.</summary>
    public const string SettingName = "notifications";

    private readonly IDataProtector _protector = protection.CreateProtector("Hort.Server.Notifications.SmtpPassword");

    /// <summary>The current settings; the defaults while none were saved.</summary>
    public async Task<NotificationSettings> GetAsync(CancellationToken cancellationToken) =>
        (await LoadAsync(cancellationToken).ConfigureAwait(false))?.Settings ?? new NotificationSettings();

    /// <summary>Whether an SMTP password is stored (the page shows that, never the password).</summary>
    public async Task<bool> HasPasswordAsync(CancellationToken cancellationToken) =>
        (await LoadAsync(cancellationToken).ConfigureAwait(false))?.ProtectedPassword is not null;

    /// <summary>
    /// Saves the settings when they are valid; returns their problems otherwise and changes nothing.
    /// <paramref name="password"/>: null keeps the stored password, empty removes it, anything else replaces it.
    /// </summary>
    public async Task<IReadOnlyList<string>> SaveAsync(NotificationSettings settings, string? password, CancellationToken cancellationToken)
    {
        var problems = settings.Problems().ToList();
        if (password is { Length: > 1024 }) problems.Add("the SMTP password is longer than 1024 characters");
        if (problems.Count > 0) return problems;
        var stored = password switch
        {
            null => (await LoadAsync(cancellationToken).ConfigureAwait(false))?.ProtectedPassword,
            "" => null,
            _ => _protector.Protect(password),
        };
        var json = JsonSerializer.Serialize(new StoredNotificationSettings(settings, stored), NotificationJson.Default.StoredNotificationSettings);
        await catalog.PutSettingAsync(SettingName, json, cancellationToken).ConfigureAwait(false);
        return [];
    }

    /// <summary>The settings and the SMTP password in clear (null when none is stored), for sending.</summary>
    internal async Task<(NotificationSettings Settings, string? Password)> ForSendingAsync(CancellationToken cancellationToken)
    {
        var stored = await LoadAsync(cancellationToken).ConfigureAwait(false);
        if (stored is null) return (new NotificationSettings(), null);
        if (stored.ProtectedPassword is null) return (stored.Settings, null);
        try
        {
            return (stored.Settings, _protector.Unprotect(stored.ProtectedPassword));
        }
        catch (CryptographicException e)
        {
            throw new MailDeliveryException(
                "the stored SMTP password cannot be read with this server's data-protection keys (the data folder's keys folder was replaced, or another server saved it); enter it again on the Settings page", e);
        }
    }

    private async Task<StoredNotificationSettings?> LoadAsync(CancellationToken cancellationToken)
    {
        var json = await catalog.GetSettingAsync(SettingName, cancellationToken).ConfigureAwait(false);
        return json is null ? null : JsonSerializer.Deserialize(json, NotificationJson.Default.StoredNotificationSettings);
    }
}
