using Hort.Protocol;
using Hort.Repository.Format;

namespace Hort.Server.Sessions;

/// <summary>The protocol's names of the two blob types (<see cref="SessionValues.Data"/>, <see cref="SessionValues.Tree"/>).</summary>
internal static class BlobTypeNames
{
    public static bool TryParse(string? name, out BlobType type)
    {
        (var known, type) = name switch
        {
            SessionValues.Data => (true, BlobType.Data),
            SessionValues.Tree => (true, BlobType.Tree),
            _ => (false, default),
        };
        return known;
    }

    public static string Of(BlobType type) => type == BlobType.Tree ? SessionValues.Tree : SessionValues.Data;
}
