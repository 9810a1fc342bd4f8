using System.Security.Cryptography;
using System.Globalization;
using Microsoft.AspNetCore.DataProtection;

namespace Hort.Server.Security;

/// <summary>
/// Keeps two-factor secrets out of the catalog in clear: they are stored as ASP.NET Core data protection payloads
/// whose keys live in the data folder (<c>keys/</c>), and the half-done states of enrollment and sign-in travel as
/// short-lived protected strings.
/// </summary>
public sealed class TotpSecrets(IDataProtectionProvider provider, TimeProvider time)
{
    /// <summary>The application name every hortd data protection user shares, so payloads open across restarts and in <c>rebuild-catalog</c>.</summary>
    public const string ApplicationName = "hortd";

    public static readonly TimeSpan EnrollmentLifetime = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan SecondStepLifetime = TimeSpan.FromMinutes(5);

    private readonly IDataProtector _secrets = provider.CreateProtector("Hort.Totp.Secret.v1");
    private readonly IDataProtector _pending = provider.CreateProtector("Hort.Totp.Pending.v1");

    /// <summary>The keys folder under a data folder.</summary>
    public static string KeysPath(string dataFolder) => Path.Combine(dataFolder, "keys");

    /// <summary>A provider over the data folder's keys, for tools that run without the web host (<c>rebuild-catalog</c>).</summary>
    public static TotpSecrets ForDataFolder(string dataFolder, TimeProvider time) =>
        new(DataProtectionProvider.Create(new DirectoryInfo(KeysPath(dataFolder)), b => b.SetApplicationName(ApplicationName)), time);

    public string Protect(ReadOnlySpan<byte> secret) => _secrets.Protect(Base32.Encode(secret));

    /// <summary>The secret, or null when the payload cannot be opened (keys lost or payload damaged).</summary>
    public byte[]? Unprotect(string stored)
    {
        try
        {
            return Base32.Decode(_secrets.Unprotect(stored));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>A short-lived protected string carrying <paramref name="values"/> for one <paramref name="purpose"/>.</summary>
    public string ProtectPending(string purpose, TimeSpan lifetime, params string[] values)
    {
        string[] parts = [purpose, (time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), .. values];
        return _pending.Protect(string.Join('\n', parts));
    }

    /// <summary>The values of a pending string made for <paramref name="purpose"/>, or null when expired, forged or for another purpose.</summary>
    public string[]? UnprotectPending(string purpose, string? payload)
    {
        if (string.IsNullOrEmpty(payload)) return null;
        try
        {
            // The expiry is inside the protected text and read on the injected clock.
            var parts = _pending.Unprotect(payload).Split('\n');
            return parts.Length >= 2 && parts[0] == purpose && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var expires)
                && expires > time.GetUtcNow().ToUnixTimeMilliseconds()
                ? parts[2..]
                : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }
}
