using System.Security.Cryptography.X509Certificates;

namespace Hort.Server.Hosting;

/// <summary>
/// The certificate hortd presents, and the next one while a change is under way (protocol.md §1, "Certificate
/// rotation"): the next certificate is prepared (<c>server.next.pfx</c>) and announced to agents through their
/// configuration, and only later switched to; the one replaced is kept as <c>server.previous.pfx</c>.
/// </summary>
public sealed class ServerCertificates : IDisposable
{
    private readonly string _file;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private (X509Certificate2 Certificate, string Fingerprint) _current;
    private (X509Certificate2 Certificate, string Fingerprint)? _next;

    private ServerCertificates(string file, TimeProvider time)
    {
        _file = file;
        _time = time;
        var current = ServerCertificate.LoadOrCreate(file, time, out _);
        _current = (current, ServerCertificate.Fingerprint(current));
        if (File.Exists(NextFile))
        {
            var next = ServerCertificate.LoadOrCreate(NextFile, time, out _);
            _next = (next, ServerCertificate.Fingerprint(next));
        }
    }

    /// <summary>Loads the certificate (creating it on first start) and a prepared next one, if there is one.</summary>
    public static ServerCertificates Load(string file, TimeProvider time) => new(file, time);

    private string NextFile => Path.Combine(Path.GetDirectoryName(_file)!, "server.next.pfx");

    private string PreviousFile => Path.Combine(Path.GetDirectoryName(_file)!, "server.previous.pfx");

    /// <summary>The certificate presented to every new connection.</summary>
    public X509Certificate2 Current
    {
        get
        {
            lock (_lock) return _current.Certificate;
        }
    }

    /// <summary>The SHA-256 fingerprint of <see cref="Current"/>: what agents pin.</summary>
    public string Fingerprint
    {
        get
        {
            lock (_lock) return _current.Fingerprint;
        }
    }

    /// <summary>The fingerprint of the prepared next certificate, announced to agents; null when none is prepared.</summary>
    public string? NextFingerprint
    {
        get
        {
            lock (_lock) return _next?.Fingerprint;
        }
    }

    /// <summary>Prepares the next certificate (or keeps the one already prepared); returns its fingerprint.</summary>
    public string PrepareNext()
    {
        lock (_lock)
        {
            if (_next is { } prepared) return prepared.Fingerprint;
            var next = ServerCertificate.LoadOrCreate(NextFile, _time, out _);
            _next = (next, ServerCertificate.Fingerprint(next));
            return _next.Value.Fingerprint;
        }
    }

    /// <summary>
    /// Presents the prepared certificate from now on (and after restarts); null when none is prepared. Connections
    /// already open keep the certificate they were made with.
    /// </summary>
    public string? Switch()
    {
        lock (_lock)
        {
            if (_next is not { } next) return null;
            // Lost to a crash, the rename leaves the old certificate in place and the next one still prepared and
            // announced, so the switch can simply be made again.
            File.Copy(_file, PreviousFile, overwrite: true);
            File.Move(NextFile, _file, overwrite: true);
            _current = next;
            _next = null;
            return next.Fingerprint;
        }
    }

    /// <summary>A replaced certificate is not disposed: connections made with it may still be open.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _current.Certificate.Dispose();
            _next?.Certificate.Dispose();
        }
    }
}
