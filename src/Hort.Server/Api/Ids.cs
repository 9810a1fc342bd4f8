using System.Security.Cryptography;

namespace Hort.Server.Api;

/// <summary>New identifiers for PCs, groups, codes, jobs and sessions: 128 random bits as 32 hex digits.</summary>
internal static class Ids
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>True for an ID of that form; anything else cannot name a resource and is answered 404.</summary>
    public static bool IsValid(string? id) => id is { Length: 32 } && id.All(char.IsAsciiHexDigitLower);
}
