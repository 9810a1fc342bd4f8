namespace Hort.Cli;

/// <summary>Process exit codes; documented in docs/cli.md.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Fatal error: nothing (more) was done.</summary>
    public const int Fatal = 1;

    /// <summary>Command-line usage error.</summary>
    public const int Usage = 2;

    /// <summary>Backup saved a snapshot, but some files could not be read (each is named); restore skipped entries.</summary>
    public const int Incomplete = 3;

    /// <summary>There is no repository at the given location.</summary>
    public const int NoRepository = 10;

    /// <summary>Wrong password.</summary>
    public const int WrongPassword = 12;

    /// <summary>check found damage.</summary>
    public const int CheckFailed = 1;
}
