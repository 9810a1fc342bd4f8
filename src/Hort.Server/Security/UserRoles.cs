namespace Hort.Server.Security;

/// <summary>The roles a dashboard user has: administrators manage everything, restore-only users see and restore.</summary>
public static class UserRoles
{
    public const string Admin = "admin";
    public const string Restore = "restore";

    public static readonly IReadOnlyList<string> All = [Admin, Restore];

    public static bool IsValid(string? role) => role is Admin or Restore;
}
