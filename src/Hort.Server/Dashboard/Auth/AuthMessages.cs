using System.Globalization;
using Hort.Server.Dashboard.Text;
using Hort.Server.Security;

namespace Hort.Server.Dashboard.Auth;

/// <summary>How a refused setup or sign-in reads on a page, in the user's language, and its HTTP status.</summary>
internal static class AuthMessages
{
    public static string Describe(PageText text, SignInOutcome outcome) => outcome.Refusal switch
    {
        SignInRefusal.Throttled => text.Format("auth.throttled", Minutes(outcome)),
        SignInRefusal.WrongSetupCode => text["setup.wrongCode"],
        SignInRefusal.WrongCredentials => text["auth.wrongCredentials"],
        SignInRefusal.WrongCode => text["auth.wrongCode"],
        SignInRefusal.Locked => text.Format("auth.locked", Minutes(outcome)),
        // Input rules are checked in the API's words; show them as they are.
        _ => outcome.Message ?? text["auth.wrongCredentials"],
    };

    private static string Minutes(SignInOutcome outcome) =>
        Math.Max(1, (int)Math.Ceiling((outcome.RetryAfter ?? TimeSpan.FromMinutes(1)).TotalMinutes)).ToString(CultureInfo.CurrentCulture);

    public static int StatusCode(SignInOutcome outcome) => outcome.Refusal switch
    {
        SignInRefusal.Throttled or SignInRefusal.Locked => StatusCodes.Status429TooManyRequests,
        SignInRefusal.BadInput => StatusCodes.Status400BadRequest,
        _ => StatusCodes.Status401Unauthorized,
    };
}
