using Hort.Protocol;
using Hort.Server.Hosting;
using Microsoft.AspNetCore.Http.Features;

namespace Hort.Server.Api;

/// <summary>
/// Per-request body limits, applied after authentication: small for callers without a valid credential, larger for
/// JSON from authenticated callers, largest for blob uploads by agents. A declared length over the limit is refused
/// before anything is read; a chunked body is cut off by Kestrel at the limit.
/// </summary>
internal sealed class BodyLimits(RequestDelegate next, HortdOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        long limit = context.User.Identity?.IsAuthenticated == true
            ? IsBlobUpload(context.Request) ? ServerHost.MaxBodyBytes : options.AuthenticatedBodyLimit
            : options.UnauthenticatedBodyLimit;
        if (context.Request.ContentLength > limit)
        {
            await ApiProblems.Problem(StatusCodes.Status413PayloadTooLarge, "Request too large",
                $"the body may have at most {limit} bytes for this caller and route").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = limit;
        }

        await next(context).ConfigureAwait(false);
    }

    private static bool IsBlobUpload(HttpRequest request) =>
        (HttpMethods.IsPut(request.Method) || HttpMethods.IsPost(request.Method))
        && request.Path.StartsWithSegments(Routes.Sessions, StringComparison.Ordinal)
        && request.Path.Value!.Contains("/blobs/", StringComparison.Ordinal);
}
