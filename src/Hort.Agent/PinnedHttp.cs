using System.Net.Http.Headers;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Hort.Agent;

/// <summary>
/// HTTPS clients that trust exactly one certificate: the server's, named by the SHA-256 of its DER encoding
/// (protocol.md §1). No CA store and no host-name check are consulted, so neither a rogue CA nor DNS can redirect an agent.
/// </summary>
public static class PinnedHttp
{
    /// <summary>The lower-case hex SHA-256 of a certificate's DER encoding.</summary>
    public static string Fingerprint(X509Certificate2 certificate) => Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));

    /// <summary>A client for <paramref name="server"/> that accepts only the certificate with <paramref name="fingerprint"/>.</summary>
    public static HttpClient Create(Uri server, string fingerprint, string? credential = null)
    {
        var expected = fingerprint.ToLowerInvariant();
        return Create(server, credential, certificate => certificate is not null && Fingerprint(certificate) == expected);
    }

    /// <summary>Connects once to learn the fingerprint of the certificate the server presents (for a user to confirm).</summary>
    public static async Task<string> PresentedFingerprintAsync(Uri server, CancellationToken cancellationToken)
    {
        string? seen = null;
        using var client = Create(server, null, certificate =>
        {
            if (certificate is not null) seen = Fingerprint(certificate);
            return certificate is not null;
        });
        using var response = await client.GetAsync(Protocol.Routes.Status, cancellationToken).ConfigureAwait(false);
        return seen ?? throw new AgentException($"{server} presented no certificate");
    }

    private static HttpClient Create(Uri server, string? credential, Func<X509Certificate2?, bool> accept)
    {
        var handler = new HttpClientHandler
        {
            SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) => accept(certificate),
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            MaxConnectionsPerServer = 8,
        };
        var client = new HttpClient(handler) { BaseAddress = server, Timeout = TimeSpan.FromMinutes(5) };
        if (credential is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", credential);
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("hort-agent", AgentVersion.Current));
        return client;
    }
}

/// <summary>The agent's version as sent to the server.</summary>
public static class AgentVersion
{
    public static string Current { get; } = typeof(AgentVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
