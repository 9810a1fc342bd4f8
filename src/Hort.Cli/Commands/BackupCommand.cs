using System.CommandLine;
using System.Diagnostics;
using Hort.Cli.Output;
using Hort.Engine.Backup;
using Hort.Engine.Maintenance;
using Hort.Repository;
using Hort.Repository.Compression;
using Hort.Repository.Maintenance;
using Hort.Repository.Snapshots;
using Hort.Storage;

namespace Hort.Cli.Commands;

/// <summary><c>hort backup PATH…</c>: saves files and directories as a new snapshot.</summary>
internal static class BackupCommand
{
    private static readonly Argument<string[]> Paths = new("PATH") { Arity = ArgumentArity.OneOrMore, Description = "Files and directories to back up" };
    private static readonly Option<string?> Host = new("--host") { Description = "Host name recorded in the snapshot (default: this machine's name)" };
    private static readonly Option<string[]> Tags = new("--tag") { Description = "Add a tag (repeatable; comma-separated lists allowed)", AllowMultipleArgumentsPerToken = false };
    private static readonly Option<string[]> Excludes = new("--exclude", "-e") { Description = "Skip paths matching this pattern (repeatable): NAME-GLOB, /ABS/GLOB or DIR/SUB-GLOB; ** spans directories" };
    private static readonly Option<string[]> ExcludeFiles = new("--exclude-file") { Description = "Read exclude patterns from a file, one per line ('#' comments)" };
    private static readonly Option<bool> ExcludeCaches = new("--exclude-caches") { Description = "Skip the contents of directories holding a CACHEDIR.TAG with the standard signature" };
    private static readonly Option<string?> Parent = new("--parent") { Description = "Compare with this snapshot to skip unchanged files (default: the latest of this host with the same paths)" };
    private static readonly Option<bool> Force = new("--force") { Description = "Read every file again, even if unchanged" };
    private static readonly Option<string> Compression = CreateCompressionOption();

    private static Option<string> CreateCompressionOption()
    {
        var option = new Option<string>("--compression")
        {
            Description = "How new data is compressed: auto (zstd level 3, the default), fast (zstd level 1: quicker, a few percent larger), "
                + "max (zstd level 19: smallest, many times slower) or off",
            DefaultValueFactory = _ => nameof(CompressionMode.Auto).ToLowerInvariant(),
        };
        // The accepted words are the mode names in lower case.
        option.AcceptOnlyFromAmong([.. Enum.GetNames<CompressionMode>().Select(name => name.ToLowerInvariant())]);
        return option;
    }

    public static Command Create()
    {
        var command = new Command("backup", "Back up files and directories into a new snapshot (prints its ID)")
        {
            Paths, Host, Tags, Excludes, ExcludeFiles, ExcludeCaches, Parent, Force, Compression,
        };
        CommandAction.Set(command, RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(CliContext ctx, CancellationToken ct)
    {
        var p = ctx.Parse;
        var excludes = new List<string>(p.GetValue(Excludes) ?? []);
        foreach (var file in p.GetValue(ExcludeFiles) ?? [])
        {
            excludes.AddRange(ReadPatternFile(file));
        }

        var tags = (p.GetValue(Tags) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        var host = p.GetValue(Host) ?? Environment.MachineName;
        var paths = (p.GetValue(Paths) ?? []).Select(Path.GetFullPath).ToList();

        using var repo = await ctx.OpenRepositoryAsync(loadIndex: false, ct).ConfigureAwait(false);

        // The lease comes first, then the index: a prune either sees this lease and waits for it, or announced its
        // deletion before the index is read here, and the announced packs are left out of it.
        await using var lease = await RepositoryLease.AcquireAsync(repo, BlobKind.Lease, LocalLeases.Owner, "backup", LocalLeases.Leases, ct).ConfigureAwait(false);
        var deletionsSeen = await repo.LoadIndexForWritingAsync(ct).ConfigureAwait(false);
        var (adopted, damaged) = await repo.AdoptUnindexedPacksAsync(ct).ConfigureAwait(false);
        await lease.AcknowledgeAsync(deletionsSeen, ct).ConfigureAwait(false);
        if (adopted > 0)
        {
            ctx.Info($"indexed {adopted} pack(s) left by an interrupted backup; their data is reused");
        }

        foreach (var d in damaged)
        {
            ctx.Warn($"warning: pack {d} is damaged and was not reused (run 'hort check --read-data')");
        }

        var parent = await FindParentAsync(ctx, repo, host, paths, ct).ConfigureAwait(false);
        if (parent is not null)
        {
            ctx.Info($"using parent snapshot {parent.Id.ToShortString()}");
        }

        var clock = Stopwatch.StartNew();
        using var status = new StatusLine(ctx.Err, ctx.ShowProgress);
        var progress = new SynchronousProgress<BackupProgress>(u => status.Update(StatusLine.Progress(
            clock.Elapsed, u.FilesDone, u.FilesTotal, u.BytesDone, u.BytesTotal, u.ScanFinished, u.CurrentPath)));
        var target = new RepositoryBackupTarget(repo, Enum.Parse<CompressionMode>(p.GetValue(Compression)!, ignoreCase: true));
        var archiver = new Archiver(target, new BackupOptions
        {
            Paths = paths, Hostname = host, Tags = tags, Excludes = excludes,
            ExcludeCaches = p.GetValue(ExcludeCaches), Parent = parent, BeforeCommit = lease.EnsureHeldAsync,
        }, ctx.ShowProgress ? progress : null);
        var result = await archiver.RunAsync(ct).ConfigureAwait(false);
        status.Clear();

        foreach (var issue in result.Issues)
        {
            ctx.Warn($"error: {issue.Path}: {issue.Message}");
        }

        var s = result.Snapshot.Summary!;
        if (ctx.Json)
        {
            JsonOutput.Write(ctx.Out, new BackupSummaryMessage(
                SnapshotId: result.SnapshotId.ToString(),
                FilesNew: s.FilesNew, FilesChanged: s.FilesChanged, FilesUnchanged: s.FilesUnchanged, Directories: s.Directories, OtherEntries: s.OtherEntries,
                DataBlobsAdded: s.BlobsAdded, DataAdded: s.BytesAdded, DataAddedStored: s.StoredBytesAdded,
                TotalFilesProcessed: s.Files, TotalBytesProcessed: s.TotalBytes,
                TotalDuration: clock.Elapsed.TotalSeconds,
                Errors: result.Issues.Select(i => new FileIssueEntry(i.Path, i.Message)).ToArray()), CliJsonContext.Default.BackupSummaryMessage);
        }
        else if (ctx.Quiet)
        {
            ctx.Out.WriteLine(result.SnapshotId);
        }
        else
        {
            ctx.Out.WriteLine($"Files:       {s.FilesNew} new, {s.FilesChanged} changed, {s.FilesUnchanged} unchanged");
            ctx.Out.WriteLine($"Dirs:        {s.Directories}, other entries: {s.OtherEntries}");
            ctx.Out.WriteLine($"Added:       {Units.Bytes(s.BytesAdded)} ({Units.Bytes(s.StoredBytesAdded)} stored)");
            ctx.Out.WriteLine($"Processed:   {s.Files} files, {Units.Bytes(s.TotalBytes)} in {Units.Duration(clock.Elapsed)}");
            ctx.Out.WriteLine($"snapshot {result.SnapshotId} saved");
        }

        if (result.Issues.Count > 0)
        {
            ctx.Warn($"warning: {result.Issues.Count} file(s) could not be read completely; the snapshot was saved without them");
            return ExitCodes.Incomplete;
        }

        return ExitCodes.Ok;
    }

    private static async Task<StoredSnapshot?> FindParentAsync(CliContext ctx, HortRepository repo, string host, List<string> paths, CancellationToken ct)
    {
        if (ctx.Parse.GetValue(Force))
        {
            return null;
        }

        var explicitParent = ctx.Parse.GetValue(Parent);
        if (explicitParent is not null)
        {
            return await repo.FindSnapshotAsync(explicitParent, cancellationToken: ct).ConfigureAwait(false);
        }

        var wanted = paths.Order(StringComparer.Ordinal).ToList();
        var all = await repo.ListSnapshotsAsync(ct).ConfigureAwait(false);
        return all.LastOrDefault(s => s.Snapshot.Hostname == host && s.Snapshot.Paths.Order(StringComparer.Ordinal).SequenceEqual(wanted));
    }

    private static IEnumerable<string> ReadPatternFile(string file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (IOException e)
        {
            throw new CliException($"cannot read exclude file {file}: {e.Message}");
        }

        return lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'));
    }
}
