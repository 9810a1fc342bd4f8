using System.Net.Http.Json;
using Hort.Protocol;

namespace Hort.Agent;

/// <summary>Enrolls this PC with a one-time code (protocol.md §4) and keeps what the server answers.</summary>
public static class Enrollment
{
    /// <summary>
    /// Connects to <paramref name="server"/> accepting only the certificate <paramref name="fingerprint"/>, trades the
    /// code for the PC's credential and dedup keys, and stores them in <paramref name="state"/>.
    /// </summary>
    public static async Task<AgentIdentity> EnrollAsync(AgentState state, Uri server, string code, string fingerprint, CancellationToken ct)
    {
        if (server.Scheme != Uri.UriSchemeHttps) throw new AgentException($"the server address must start with https:// (got {server})");
        if (fingerprint.Length != 64 || !fingerprint.All(Uri.IsHexDigit)) throw new AgentException("the fingerprint must be 64 hex digits (as hortd prints it)");
        using var http = PinnedHttp.Create(server, fingerprint);
        var request = new EnrollRequest(code, Environment.MachineName, System.Runtime.InteropServices.RuntimeInformation.OSDescription, AgentVersion.Current);
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsJsonAsync(Routes.Enroll, request, ProtocolJson.Default.EnrollRequest, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new AgentException($"could not reach {server} with the pinned certificate {fingerprint}: {e.Message}", e);
        }

        using (response)
        {
            await ServerClient.EnsureAsync(response, ct).ConfigureAwait(false);
            var enrolled = await response.Content.ReadFromJsonAsync(ProtocolJson.Default.EnrollResponse, ct).ConfigureAwait(false)
                ?? throw new AgentException("the server answered the enrollment with an empty body");
            var identity = new AgentIdentity(server.ToString(), fingerprint.ToLowerInvariant(), enrolled.PcId, enrolled.Credential, enrolled.Dedup);
            state.SaveIdentity(identity);
            return identity;
        }
    }
}
