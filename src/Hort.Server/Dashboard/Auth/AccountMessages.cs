using Hort.Server.Dashboard.Text;
using Hort.Server.Security;

namespace Hort.Server.Dashboard.Auth;

/// <summary>How a refused change to an account reads on the Account and Users pages, and its HTTP status.</summary>
internal static class AccountMessages
{
    public static string Describe(PageText text, AccountResult result) => result.Change switch
    {
        AccountChange.WrongPassword when result.Refusal is { Refusal: not SignInRefusal.WrongCredentials } refusal => AuthMessages.Describe(text, refusal),
        AccountChange.WrongPassword => text["account.wrongPassword"],
        AccountChange.PasswordsDiffer => text["auth.passwordsDiffer"],
        AccountChange.WrongCode => text["auth.wrongCode"],
        AccountChange.Expired => text["account.enrollmentExpired"],
        AccountChange.NoSuchUser => text["users.noSuchUser"],
        AccountChange.NameTaken => text["users.nameTaken"],
        AccountChange.BadRole => text["users.badRole"],
        AccountChange.LastAdmin => text["users.lastAdmin"],
        AccountChange.Yourself => text["users.yourself"],
        // Names and passwords are checked in the API's words; show them as they are.
        _ => result.Detail ?? text["users.badInput"],
    };

    public static int StatusCode(AccountResult result) => result.Change switch
    {
        AccountChange.WrongPassword when result.Refusal is { } refusal => AuthMessages.StatusCode(refusal),
        AccountChange.NoSuchUser => StatusCodes.Status404NotFound,
        AccountChange.NameTaken or AccountChange.LastAdmin or AccountChange.Yourself => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };
}
