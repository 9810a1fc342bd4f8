using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Hort.Core;

namespace Hort.Server.Hosting;

/// <summary>The server's TLS certificate: self-signed, generated at first start, kept in the data folder.</summary>
public static class ServerCertificate
{
    /// <summary>Loads the certificate from <paramref name="file"/>, creating it first if it does not exist.</summary>
    public static X509Certificate2 LoadOrCreate(string file, TimeProvider time, out bool created)
    {
        created = false;
        if (!File.Exists(file))
        {
            DataFolder.WriteSecret(file, Create(time));
            created = true;
        }

        try
        {
            return X509CertificateLoader.LoadPkcs12FromFile(file, password: null, X509KeyStorageFlags.Exportable);
        }
        catch (CryptographicException e)
        {
            throw new HortException($"the server certificate {file} cannot be read ({e.Message}); move it away to generate a new one (agents must then be told the new fingerprint)", e);
        }
    }

    /// <summary>The SHA-256 of the certificate's DER encoding, 64 lower-case hex digits: what agents pin.</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        Convert.ToHexStringLower(certificate.GetCertHash(HashAlgorithmName.SHA256));

    private static byte[] Create(TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=hortd", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddDnsName(Environment.MachineName);
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var now = time.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(20));
        return certificate.Export(X509ContentType.Pkcs12);
    }
}
