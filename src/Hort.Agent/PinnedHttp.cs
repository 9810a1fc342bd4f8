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
    public static HttpClient Create(Uri server, string fingerprint, string? credential = null) =>
        Create(server, new CertificatePins(fingerprint, null), credential);

    /// <summary>A client for <paramref name="server"/> that accepts only the certificates <paramref name="pins"/> names.</summary>
    public static HttpClient Create(Uri server, CertificatePins pins, string? credential = null) =>
        Create(server, credential, pins.Accept);

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

/// <summary>
/// The certificates an agent accepts from its server: the pinned one and, once the server announced it over a
/// connection pinned to that one (<c>nextServerFingerprint</c>, protocol.md §1), the next. The first connection that
/// presents the announced certificate makes it the pinned one and forgets the old; no other certificate is ever accepted.
/// </summary>
public sealed class CertificatePins
{
    private readonly Lock _lock = new();
    private readonly Lock _saving = new();
    private readonly Action<CertificatePins>? _changed;
    private string _current;
    private string? _next;

    /// <param name="current">The pinned fingerprint.</param>
    /// <param name="next">An announced next fingerprint, or null.</param>
    /// <param name="changed">Called after every change (to save the pins), one call at a time.</param>
    public CertificatePins(string current, string? next, Action<CertificatePins>? changed = null)
    {
        _current = current.ToLowerInvariant();
        _next = IsFingerprint(next) ? next!.ToLowerInvariant() : null;
        _changed = changed;
    }

    public string Current
    {
        get
        {
            lock (_lock) return _current;
        }
    }

    public string? Next
    {
        get
        {
            lock (_lock) return _next;
        }
    }

    /// <summary>True for the pinned certificate, and for the announced next one, which then becomes the pinned one.</summary>
    public bool Accept(X509Certificate2? certificate)
    {
        if (certificate is null) return false;
        var presented = PinnedHttp.Fingerprint(certificate);
        lock (_lock)
        {
            if (presented == _current) return true;
            if (presented != _next) return false;
            _current = presented;
            _next = null;
        }

        Changed();
        return true;
    }

    /// <summary>What the server's configuration says comes next (null: nothing); anything but 64 hex digits counts as nothing.</summary>
    public void Announce(string? next)
    {
        next = IsFingerprint(next) ? next!.ToLowerInvariant() : null;
        lock (_lock)
        {
            if (next == _current) next = null;
            if (next == _next) return;
            _next = next;
        }

        Changed();
    }

    private void Changed()
    {
        if (_changed is null) return;
        lock (_saving) _changed(this);
    }

    private static bool IsFingerprint(string? value) => value is { Length: 64 } && value.All(Uri.IsHexDigit);
}

/// <summary>The agent's version as sent to the server.</summary>
public static class AgentVersion
{
    public static string Current { get; } = typeof(AgentVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
