namespace Hort.Engine.FileSystem;

/// <summary>
/// The kind of a directory entry, as the file type bits of <c>st_mode</c> say. The values equal
/// <c>Hort.Repository.Trees.NodeType</c>'s on purpose (the archiver and restorer convert by a cast); the file-system
/// layer keeps its own type because it knows no repository format.
/// </summary>
public enum EntryType : byte
{
    File = 1,
    Directory = 2,
    Symlink = 3,
    Fifo = 4,
    CharDevice = 5,
    BlockDevice = 6,
    Socket = 7,
}
