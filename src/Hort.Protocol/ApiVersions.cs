namespace Hort.Protocol;

/// <summary>The API versions of the protocol (docs/design/protocol.md §1).</summary>
public static class ApiVersions
{
    /// <summary>The version this assembly speaks; it is the number in every route prefix.</summary>
    public const int Current = 1;

    /// <summary>Versions a server of this build answers.</summary>
    public static IReadOnlyList<int> Supported { get; } = [Current];
}
