namespace Hort.Engine.Restore;

/// <summary>Where to restore and what.</summary>
public sealed record RestoreOptions
{
    /// <summary>The directory everything is restored into; nothing outside it is ever touched.</summary>
    public required string Target { get; init; }

    /// <summary>Snapshot paths to restore (with everything below them); empty means all.</summary>
    public IReadOnlyList<string> Includes { get; init; } = [];

    /// <summary>Restore owners (needs root); by default when running as root.</summary>
    public bool RestoreOwnership { get; init; } = FileSystem.PosixFileSystem.IsRoot;
}

/// <summary>A progress update of a running restore.</summary>
public sealed record RestoreProgress(long FilesDone, long BytesDone, long FilesTotal, long BytesTotal, string? CurrentPath);

/// <summary>An entry that could not be restored completely, and why.</summary>
public sealed record RestoreIssue(string Path, string Message);

/// <summary>What a restore wrote and what it could not.</summary>
public sealed record RestoreResult(long Files, long Directories, long OtherEntries, long Bytes, IReadOnlyList<RestoreIssue> Issues);
