using Hort.Protocol;

namespace Hort.Server.Hosting;

/// <summary>What the server shows about itself: its certificate fingerprint and, while no admin exists, the setup code.</summary>
public sealed class ServerIdentity(ServerCertificates certificates)
{
    private readonly Lock _lock = new();
    private string? _setupCodeHash;

    /// <summary>The fingerprint of the certificate presented now.</summary>
    public string Fingerprint => certificates.Fingerprint;

    /// <summary>Makes a new setup code and returns it for printing.</summary>
    public string NewSetupCode()
    {
        var code = Credentials.NewCode();
        lock (_lock) _setupCodeHash = Credentials.Hash(Credentials.NormalizeCode(code));
        return code;
    }

    /// <summary>True when <paramref name="code"/> is the current setup code.</summary>
    public bool IsSetupCode(string? code)
    {
        if (code is null) return false;
        var hash = Credentials.Hash(Credentials.NormalizeCode(code));
        lock (_lock) return _setupCodeHash is not null && Credentials.HashesEqual(_setupCodeHash, hash);
    }

    /// <summary>The code is single use.</summary>
    public void ConsumeSetupCode()
    {
        lock (_lock) _setupCodeHash = null;
    }
}
