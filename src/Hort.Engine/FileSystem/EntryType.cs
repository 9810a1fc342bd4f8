namespace Hort.Engine.FileSystem;

/// <summary>The kind of a directory entry, as the file type bits of <c>st_mode</c> say.</summary>
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
