using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Hort.Protocol;

/// <summary>What a bearer token claims to be, judged by its form alone.</summary>
public enum CredentialKind
{
    Unknown,
    AdminToken,
    AgentCredential,
}

/// <summary>Formats of admin tokens and agent credentials (protocol.md §2), one-time codes, and their stored hashes.</summary>
public static class Credentials
{
    public const string AdminTokenPrefix = "hadm_";
    public const string AgentCredentialPrefix = "hagt_";

    private const int SecretBytes = 32;
    private const string CodeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    /// <summary>A new admin token: the prefix and 32 random bytes, base64url.</summary>
    public static string NewAdminToken() => AdminTokenPrefix + NewSecret();

    /// <summary>A new agent credential naming its PC.</summary>
    public static string NewAgentCredential(string pcId) => AgentCredentialPrefix + pcId + "_" + NewSecret();

    /// <summary>
    /// A one-time code of 8 groups of 4 characters from 32 symbols without look-alikes (160 bits), e.g. for setup and
    /// enrollment. Comparison ignores case, spaces and dashes (see <see cref="NormalizeCode"/>).
    /// </summary>
    public static string NewCode()
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);
        var text = new StringBuilder(39);
        for (var i = 0; i < 32; i++)
        {
            if (i > 0 && i % 4 == 0) text.Append('-');
            text.Append(CodeAlphabet[random[i] & 31]);
        }

        return text.ToString();
    }

    /// <summary>A code as typed, reduced to its significant characters (upper case, no separators).</summary>
    public static string NormalizeCode(string code)
    {
        var text = new StringBuilder(code.Length);
        foreach (var c in code)
        {
            if (c is '-' or ' ') continue;
            text.Append(char.ToUpperInvariant(c));
        }

        return text.ToString();
    }

    /// <summary>What a bearer token is by its prefix.</summary>
    public static CredentialKind KindOf(string? token) => token switch
    {
        null => CredentialKind.Unknown,
        _ when token.StartsWith(AdminTokenPrefix, StringComparison.Ordinal) => CredentialKind.AdminToken,
        _ when token.StartsWith(AgentCredentialPrefix, StringComparison.Ordinal) => CredentialKind.AgentCredential,
        _ => CredentialKind.Unknown,
    };

    /// <summary>The PC ID an agent credential names, or null when the credential is malformed.</summary>
    public static string? PcIdOf(string credential)
    {
        if (KindOf(credential) != CredentialKind.AgentCredential) return null;
        var rest = credential.AsSpan(AgentCredentialPrefix.Length);
        var separator = rest.IndexOf('_');
        return separator > 0 ? rest[..separator].ToString() : null;
    }

    /// <summary>How secrets are stored: SHA-256 of the UTF-8 text, as lower-case hex. Secrets are random, so no slow hash is needed.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares two hashes in constant time.</summary>
    public static bool HashesEqual(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));

    private static string NewSecret()
    {
        Span<byte> random = stackalloc byte[SecretBytes];
        RandomNumberGenerator.Fill(random);
        return Base64Url.EncodeToString(random);
    }
}
