using Hort.Server.Security;

namespace Hort.Server.Api;

/// <summary>Maps every endpoint class onto the application with the caller kind it needs.</summary>
internal static class ApiRoutes
{
    public static void Map(WebApplication app)
    {
        var anyone = app.MapGroup("").AllowAnonymous();
        var admin = app.MapGroup("").RequireAuthorization(Callers.Admin);
        var agent = app.MapGroup("").RequireAuthorization(Callers.Agent);
        StatusEndpoints.Map(anyone);
        AuthEndpoints.Map(anyone, admin);
        PcEndpoints.Map(admin);
        GroupEndpoints.Map(admin);
        PolicyEndpoints.Map(admin);
        EnrollmentEndpoints.Map(anyone, admin);
        JobEndpoints.Map(admin);
        AuditEndpoints.Map(admin);
        CertificateEndpoints.Map(admin);
        AlertEndpoints.Map(admin);
        MaintenanceEndpoints.Map(admin);
        AgentEndpoints.Map(agent);
        SessionEndpoints.Map(agent);
    }
}
