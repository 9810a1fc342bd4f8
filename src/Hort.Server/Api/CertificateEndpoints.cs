using Hort.Protocol;
using Hort.Server.Hosting;

namespace Hort.Server.Api;

/// <summary>
/// The server certificate and its rotation (protocol.md §1): prepare the next certificate, which agents learn from
/// their configuration, then switch to it once every agent has had the chance to fetch it.
/// </summary>
internal static class CertificateEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapGet(Routes.ServerCertificate, Get).WithTags("Server");
        admin.MapPost(Routes.ServerCertificateNext, PrepareAsync).WithTags("Server");
        admin.MapPost(Routes.ServerCertificateSwitch, SwitchAsync).WithTags("Server");
    }

    private static ServerCertificateDto Get(ServerCertificates certificates) => new(certificates.Fingerprint, certificates.NextFingerprint);

    private static async Task<ServerCertificateDto> PrepareAsync(HttpContext context, ServerCertificates certificates, AuditLog audit)
    {
        var next = certificates.PrepareNext();
        await audit.RecordAsync(context, "prepare-certificate", "next " + next).ConfigureAwait(false);
        return Get(certificates);
    }

    private static async Task<IResult> SwitchAsync(HttpContext context, ServerCertificates certificates, AuditLog audit)
    {
        var previous = certificates.Fingerprint;
        if (certificates.Switch() is not { } current) return ApiProblems.Conflict("no next certificate is prepared; prepare one and let the agents fetch it first");
        await audit.RecordAsync(context, "switch-certificate", $"from {previous} to {current}").ConfigureAwait(false);
        return Results.Ok(Get(certificates));
    }
}
