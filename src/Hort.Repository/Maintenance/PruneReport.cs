namespace Hort.Repository.Maintenance;

/// <summary>Settings of one prune run.</summary>
public sealed record PruneOptions
{
    /// <summary>Repack a pack when more than this share of its bytes is unused (0 … 1).</summary>
    public double MaxUnused { get; init; } = 0.05;

    /// <summary>Only compute and report what would happen.</summary>
    public bool DryRun { get; init; }

    public LeaseOptions Leases { get; init; } = new();

    /// <summary>Only finish deletions announced earlier (phase 2); announce nothing new.</summary>
    public bool FinishPendingOnly { get; init; }

    public LeaseOwner Owner { get; init; } = LeaseOwner.Current;

    /// <summary>
    /// Temporary files of interrupted puts (a backup's half-written pack) untouched for this long are removed. A
    /// backup appends to its open pack whenever it finds new data, so only a writer that has stopped leaves one
    /// this old.
    /// </summary>
    public TimeSpan TemporaryFileAge { get; init; } = TimeSpan.FromDays(1);
}

/// <summary>How a prune run ended.</summary>
public enum PruneOutcome
{
    /// <summary>Nothing was unused enough to delete or repack.</summary>
    NothingToDo,

    /// <summary>Only computed (dry run).</summary>
    DryRun,

    /// <summary>Everything announced was deleted.</summary>
    Completed,

    /// <summary>
    /// The deletion is announced but waits for backups that started before it; a later prune finishes it. The
    /// repository is consistent meanwhile.
    /// </summary>
    Deferred,
}

/// <summary>What a prune found and did.</summary>
public sealed record PruneReport
{
    public PruneOutcome Outcome { get; set; }

    public int Snapshots { get; set; }

    public int PacksTotal { get; set; }

    public long BytesTotal { get; set; }

    public int PacksUnindexed { get; set; }

    /// <summary>Packs no snapshot uses at all.</summary>
    public int PacksUnused { get; set; }

    public long BytesUnused { get; set; }

    /// <summary>Packs whose used blobs are copied into new packs.</summary>
    public int PacksRepacked { get; set; }

    public long BytesRepacked { get; set; }

    /// <summary>Bytes copied out of repacked packs.</summary>
    public long BytesCopied { get; set; }

    public int PacksWritten { get; set; }

    public int IndexFilesReplaced { get; set; }

    public int PacksDeleted { get; set; }

    public long BytesFreed { get; set; }

    public int IndexFilesDeleted { get; set; }

    /// <summary>Announced packs kept after all, because a snapshot made meanwhile uses them.</summary>
    public int PacksRescued { get; set; }

    /// <summary>Leases of backups the deletion waits for.</summary>
    public List<string> WaitingFor { get; } = [];

    public List<string> Notes { get; } = [];
}
