namespace Hort.Repository.Format;

/// <summary>What a blob in a pack holds. The byte values are part of the format.</summary>
public enum BlobType : byte
{
    /// <summary>A chunk of file content.</summary>
    Data = 1,

    /// <summary>An encoded directory listing (<see cref="Trees.Tree"/>).</summary>
    Tree = 2,
}
