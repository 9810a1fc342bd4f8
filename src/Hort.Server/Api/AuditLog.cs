using Hort.Server.Catalog;
using Hort.Server.Security;

namespace Hort.Server.Api;

/// <summary>Records admin actions in the catalog's audit table and in the server log, then saves the server state.</summary>
internal sealed partial class AuditLog(ServerCatalog catalog, ServerStateStore state, TimeProvider time, ILogger<AuditLog> log)
{
    public Task RecordAsync(HttpContext context, string action, string target) =>
        RecordAsync(context, context.User.AdminName(), action, target);

    public async Task RecordAsync(HttpContext context, string admin, string action, string target)
    {
        await AddAsync(context, admin, action, target).ConfigureAwait(false);
        // Every audited action may have changed what only the server knows; mirror it into the repository.
        await state.SaveAsync(context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Records an action that changes nothing only the server knows (a download): the audit entry and the log line,
    /// without writing a new server state document into the repository.
    /// </summary>
    public Task RecordAccessAsync(HttpContext context, string action, string target) =>
        AddAsync(context, context.User.AdminName(), action, target);

    private async Task AddAsync(HttpContext context, string admin, string action, string target)
    {
        var remote = context.Connection.RemoteIpAddress?.ToString() ?? "";
        LogAction(log, admin, remote, action, target);
        await catalog.AddAuditAsync(time.GetUtcNow(), admin, remote, action, target, context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "audit: {Admin} from {RemoteAddress}: {Action} {Target}")]
    private static partial void LogAction(ILogger logger, string admin, string remoteAddress, string action, string target);
}
