using System.Net.Sockets;
using Hort.Core;
using Hort.Server.Sessions;
using Hort.Storage;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Hort.Server.Api;

/// <summary>
/// Maps exceptions that escape an endpoint to problem details: a full disk (repository or catalog) to 507, a missing
/// object to 404, a malformed body to 400, anything else to 500 without internals.
/// </summary>
internal sealed partial class ServerExceptionHandler(IProblemDetailsService problems, ILogger<ServerExceptionHandler> log) : IExceptionHandler
{
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;
    private const int SqliteFull = 13;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = Classify(exception);
        if (status == StatusCodes.Status507InsufficientStorage)
        {
            LogDiskFull(log, httpContext.Request.Path, exception.Message);
        }
        else if (status >= 500)
        {
            LogFailure(log, httpContext.Request.Path, exception);
        }

        httpContext.Response.StatusCode = status;
        if (exception is Jobs.NoBackupSlotException busy)
        {
            httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(busy.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }

    internal static (int Status, string Title, string Detail) Classify(Exception exception) => exception switch
    {
        _ when IsDiskFull(exception) => (StatusCodes.Status507InsufficientStorage, "Insufficient storage",
            "the server's storage is full; nothing was stored; retry when space has been freed"),
        UploadRejectedException e => (StatusCodes.Status422UnprocessableEntity, "Rejected", e.Message),
        Jobs.NoBackupSlotException e => (StatusCodes.Status503ServiceUnavailable, "No backup slot free", e.Message),
        NotFoundException e => (StatusCodes.Status404NotFound, "Not found", e.Message),
        BadHttpRequestException e => (e.StatusCode, "Bad request", e.Message),
        OperationCanceledException or SocketException => (StatusCodes.Status503ServiceUnavailable, "Unavailable", "the request was cancelled"),
        _ => (StatusCodes.Status500InternalServerError, "Server error", "the server failed to handle the request; see its log"),
    };

    /// <summary>True when the exception, or one it wraps, says the disk or quota is full.</summary>
    internal static bool IsDiskFull(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case StorageFullException:
                case IOException io when (io.HResult & 0xFFFF) is ENOSPC or EDQUOT || io.HResult == unchecked((int)0x80070070):
                case SqliteException { SqliteErrorCode: SqliteFull }:
                case PostgresException { SqlState: "53100" }:
                    return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "request {Path} refused, storage full: {Problem}")]
    private static partial void LogDiskFull(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "request {Path} failed")]
    private static partial void LogFailure(ILogger logger, string path, Exception exception);
}
