namespace Hort.Storage;

/// <summary>The store operations a <see cref="FaultInjectingBlobStore"/> can count and fail.</summary>
[Flags]
public enum BlobOperations
{
    None = 0,
    Put = 1,
    Get = 2,
    Read = 4,
    Stat = 8,
    List = 16,
    Delete = 32,

    /// <summary>An append to a staged put (<see cref="IBlobStore.BeginPut"/>); its commit counts as a <see cref="Put"/>.</summary>
    Write = 64,
    All = Put | Get | Read | Stat | List | Delete | Write,
}

/// <summary>What an injected failure looks like to the caller.</summary>
public enum InjectedFault
{
    /// <summary>An <see cref="IOException"/> with the message "injected I/O error".</summary>
    IOError,

    /// <summary>A <see cref="StorageFullException"/>.</summary>
    StorageFull,
}

/// <summary>Which operations a <see cref="FaultInjectingBlobStore"/> counts, which of them fail, and how.</summary>
public sealed record FaultInjectionOptions
{
    /// <summary>The operations that are counted; only these can fail.</summary>
    public BlobOperations CountedOperations { get; init; } = BlobOperations.All;

    /// <summary>The 1-based number of the counted operation that fails; 0 means none does.</summary>
    public long FailAt { get; init; }

    /// <summary>When true, every counted operation after <see cref="FailAt"/> fails too (a device that stays broken).</summary>
    public bool KeepFailing { get; init; }

    /// <summary>The failure to raise.</summary>
    public InjectedFault Fault { get; init; } = InjectedFault.IOError;

    /// <summary>When set, this bit (counted from the blob's first byte) reads back flipped from Get and Read.</summary>
    public long? CorruptBit { get; init; }

    /// <summary>Limits <see cref="CorruptBit"/> to one blob; null corrupts every blob read.</summary>
    public BlobName? CorruptBlob { get; init; }

    /// <summary>No faults: the wrapper only counts.</summary>
    public static FaultInjectionOptions None { get; } = new();
}
