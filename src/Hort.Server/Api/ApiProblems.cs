using System.Globalization;

namespace Hort.Server.Api;

/// <summary>RFC 7807 answers used by every endpoint.</summary>
internal static class ApiProblems
{
    public static IResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Malformed request", detail);

    public static IResult BadRequest(IReadOnlyList<string> problems) => BadRequest(string.Join("; ", problems));

    public static IResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static IResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, "Conflict", detail);

    public static IResult Unauthorized(string detail) => Problem(StatusCodes.Status401Unauthorized, "Unauthorized", detail);

    public static IResult Unprocessable(string detail) => Problem(StatusCodes.Status422UnprocessableEntity, "Rejected", detail);

    public static IResult TooMany(TimeSpan retryAfter) => new RetryAfterResult(retryAfter, "Too many failed attempts", "too many failed attempts from this address");

    /// <summary>429 for an account locked after failed sign-ins, with Retry-After.</summary>
    public static IResult Locked(TimeSpan retryAfter) => new RetryAfterResult(retryAfter, "Account locked", "this account is locked after too many failed sign-ins");

    public static IResult Forbidden(string detail) => Problem(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static IResult Problem(int status, string title, string detail) => Results.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>429 with Retry-After in whole seconds.</summary>
    private sealed class RetryAfterResult(TimeSpan retryAfter, string title, string detail) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status429TooManyRequests, title, $"{detail}; try again in {seconds} seconds").ExecuteAsync(httpContext);
        }
    }
}
