using System.Net;
using System.Text.RegularExpressions;
using Hort.Server.Hosting;

namespace Hort.Server.Dashboard.Admin;

/// <summary>The one command that enrolls a PC, and the server address it names.</summary>
public static partial class EnrollCommand
{
    /// <summary>Where the agent is installed by docs/agent.md and where packaging/hort-agent.service runs it from.</summary>
    public const string Program = "/opt/hort/hort";

    /// <summary>
    /// The address the PC should use: the one the admin's browser used (its Host header), since the PC is most likely
    /// on the same network; hortd's own listen address when the header is missing or is not a plain host name or address
    /// (the command is pasted into a shell, so nothing else may reach it).
    /// </summary>
    public static string ServerAddress(HttpRequest request, HortdOptions options)
    {
        var host = request.Host.Value;
        return host is { Length: > 0 and <= 260 } && PlainHost().IsMatch(host)
            ? "https://" + host
            : $"https://{(options.Listen.Contains(':', StringComparison.Ordinal) ? $"[{options.Listen}]" : options.Listen)}:{options.Port}";
    }

    /// <summary>True when <paramref name="serverAddress"/> names this machine only (127.0.0.1, ::1, localhost).</summary>
    public static bool IsLoopback(string serverAddress)
    {
        var host = new Uri(serverAddress).Host.Trim('[', ']');
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    /// <summary>The command to run as root on the PC.</summary>
    public static string For(string serverAddress, string code, string fingerprint) =>
        $"sudo {Program} agent enroll --server {serverAddress} --code {code} --fingerprint {fingerprint}";

    [GeneratedRegex(@"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$")]
    private static partial Regex PlainHost();
}
