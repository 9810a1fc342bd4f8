using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using Hort.Core;
using Hort.Engine.FileSystem;
using Hort.Repository;
using Hort.Repository.Compression;
using Hort.Repository.Format;
using Hort.Repository.Trees;

namespace Hort.Server.Dashboard.Browsing;

/// <summary>
/// Writes a snapshot's file, or a folder as a zip or tar.gz archive, onto a stream that need not seek (a response body),
/// reading content chunk by chunk (<see cref="FileContentStream"/>): memory stays bounded whatever the size.
/// Only asynchronous writes reach the output. Damaged content throws <see cref="RepositoryCorruptException"/> part way
/// through; the caller must then abort the response, so no one mistakes what was written for the whole.
/// </summary>
public sealed class SnapshotDownloads(HortRepository repository)
{
    private const uint TypeDirectory = 0x4000;
    private const uint TypeFile = 0x8000;
    private const uint TypeSymlink = 0xA000;
    private static readonly DateTimeOffset ZipEarliest = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset ZipLatest = new(2107, 12, 31, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The file's content.</summary>
    public async Task WriteFileAsync(SnapshotItem file, Stream output, CancellationToken ct)
    {
        if (!file.IsFile) throw new BadHttpRequestException($"{file.Path} is not a file");
        await using var content = Open(file.Node!, file.Path, ct);
        await content.CopyToAsync(output, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The folder as a zip archive: folders, files and symbolic links (stored the Info-ZIP way: the target as content,
    /// the link type in the Unix attributes), each under the folder's own name, with permissions and modification time.
    /// </summary>
    public async Task WriteZipAsync(SnapshotItem folder, Stream output, CancellationToken ct)
    {
        if (!folder.IsFolder) throw new BadHttpRequestException($"{folder.Path} is not a folder");
        var buffered = new AsyncWriteBuffer(output);
        var zip = await ZipArchive.CreateAsync(buffered, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct).ConfigureAwait(false);
        await using (zip.ConfigureAwait(false))
        {
            AddZipEntry(zip, ArchiveRoot(folder) + "/", TypeDirectory, RootMode(folder), RootTime(folder));
            await foreach (var (path, node) in WalkAsync(folder.Tree, ArchiveRoot(folder), ct).ConfigureAwait(false))
            {
                // A name that Windows tools would read as a separator is stored with '_' instead.
                var name = path.Replace('\\', '_');
                var time = node.ModifyTime.ToDateTimeOffset();
                switch (node.Type)
                {
                    case NodeType.Directory:
                        AddZipEntry(zip, name + "/", TypeDirectory, node.Mode, time);
                        break;
                    case NodeType.File:
                    {
                        var entry = AddZipEntry(zip, name, TypeFile, node.Mode, time, CompressionLevelOf(node));
                        var stream = await entry.OpenAsync(ct).ConfigureAwait(false);
                        await using (stream.ConfigureAwait(false))
                        {
                            await using var content = Open(node, path, ct);
                            await content.CopyToAsync(stream, ct).ConfigureAwait(false);
                        }

                        break;
                    }

                    case NodeType.Symlink:
                    {
                        var entry = AddZipEntry(zip, name, TypeSymlink, 0x1FF, time);
                        var stream = await entry.OpenAsync(ct).ConfigureAwait(false);
                        await using (stream.ConfigureAwait(false))
                        {
                            await stream.WriteAsync(node.LinkTarget, ct).ConfigureAwait(false);
                        }

                        break;
                    }
                }

                await buffered.FlushAsync(ct).ConfigureAwait(false);
            }
        }

        await buffered.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The folder as a gzip-compressed POSIX (pax) tar archive under the folder's own name: folders, files, symbolic links
    /// as links, FIFOs and device nodes, with permissions, modification time and owner.
    /// </summary>
    public async Task WriteTarGzAsync(SnapshotItem folder, Stream output, CancellationToken ct)
    {
        if (!folder.IsFolder) throw new BadHttpRequestException($"{folder.Path} is not a folder");
        var gzip = new GzipMembers(output);
        await using (gzip.ConfigureAwait(false))
        {
            var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true);
            await using (tar.ConfigureAwait(false))
            {
                var root = ArchiveRoot(folder);
                var rootEntry = folder.Node is { } n
                    ? ToTarEntry(root, n)
                    : new PaxTarEntry(TarEntryType.Directory, root) { Mode = (UnixFileMode)RootMode(folder), ModificationTime = RootTime(folder) };
                await tar.WriteEntryAsync(rootEntry!, ct).ConfigureAwait(false);
                await foreach (var (path, node) in WalkAsync(folder.Tree, root, ct).ConfigureAwait(false))
                {
                    if (ToTarEntry(path, node) is not { } entry) continue;
                    await gzip.UseAsync(node.Type == NodeType.File ? CompressionLevelOf(node) : CompressionLevel.Fastest).ConfigureAwait(false);
                    if (node.Type == NodeType.File)
                    {
                        await using var content = Open(node, path, ct);
                        entry.DataStream = content;
                        await tar.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await tar.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    }
                }
            }
        }
    }

    /// <summary>The name a folder has inside its archive: its own, or for a snapshot's root "host-yyyyMMdd-HHmmss".</summary>
    public static string ArchiveRoot(SnapshotItem folder) => folder.Node is not null
        ? folder.Name
        : SafeFileName(folder.Snapshot.Hostname) + "-" + folder.Snapshot.Time.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);

    /// <summary>A file name that is safe anywhere: letters, digits, '.', '-' and '_' (others become '_'), never empty or dot-only.</summary>
    public static string SafeFileName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var safe = sb.ToString().Trim('.');
        return safe.Length == 0 ? "download" : safe.Length > 200 ? safe[..200] : safe;
    }

    private FileContentStream Open(TreeNode file, string path, CancellationToken ct) =>
        new(repository, file.Content, (long)file.Size, path, ct);

    /// <summary>
    /// Every entry below <paramref name="treeId"/>, depth first in name order, with paths under <paramref name="prefix"/>.
    /// Names no file system could hold ("", ".", "..", with '/' or NUL) come only from a tampered tree and are left out
    /// with everything below them, so an archive never points outside its folder.
    /// </summary>
    private async IAsyncEnumerable<(string Path, TreeNode Node)> WalkAsync(ObjectId treeId, string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        var tree = await repository.LoadTreeAsync(treeId, ct).ConfigureAwait(false);
        foreach (var node in tree.Nodes)
        {
            var name = node.DisplayName;
            if (name is "" or "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal)) continue;
            var path = prefix + "/" + name;
            yield return (path, node);
            if (node.Type != NodeType.Directory) continue;
            await foreach (var below in WalkAsync(node.Subtree, path, ct).ConfigureAwait(false))
            {
                yield return below;
            }
        }
    }

    private static uint RootMode(SnapshotItem folder) => folder.Node?.Mode ?? 0x1ED; // 0755

    private static DateTimeOffset RootTime(SnapshotItem folder) => folder.Node?.ModifyTime.ToDateTimeOffset() ?? folder.Snapshot.Time;

    /// <summary>
    /// Deflating content the repository found incompressible (its first chunk is stored uncompressed) only costs time,
    /// so such a file goes into the archive as it is.
    /// </summary>
    private CompressionLevel CompressionLevelOf(TreeNode file)
    {
        if (file.Content.Count == 0) return CompressionLevel.Fastest;
        try
        {
            return repository.LocateBlob(BlobType.Data, file.Content[0]).Entry.Compression == CompressionKind.None
                ? CompressionLevel.NoCompression
                : CompressionLevel.Fastest;
        }
        catch (RepositoryCorruptException)
        {
            // Missing from the index: reading the file fails the download in a moment.
            return CompressionLevel.Fastest;
        }
    }

    private static ZipArchiveEntry AddZipEntry(ZipArchive zip, string name, uint type, uint mode, DateTimeOffset time,
        CompressionLevel level = CompressionLevel.Fastest)
    {
        var entry = zip.CreateEntry(name, level);
        entry.ExternalAttributes = unchecked((int)((type | (mode & 0xFFF)) << 16));
        entry.LastWriteTime = time < ZipEarliest ? ZipEarliest : time > ZipLatest ? ZipLatest : time.ToLocalTime();
        return entry;
    }

    private static PaxTarEntry? ToTarEntry(string path, TreeNode node)
    {
        var type = node.Type switch
        {
            NodeType.File => TarEntryType.RegularFile,
            NodeType.Directory => TarEntryType.Directory,
            NodeType.Symlink => TarEntryType.SymbolicLink,
            NodeType.Fifo => TarEntryType.Fifo,
            NodeType.CharDevice => TarEntryType.CharacterDevice,
            NodeType.BlockDevice => TarEntryType.BlockDevice,
            _ => (TarEntryType?)null,
        };
        if (type is null) return null;
        var entry = new PaxTarEntry(type.Value, node.Type == NodeType.Directory ? path + "/" : path)
        {
            Mode = (UnixFileMode)(node.Mode & 0xFFF),
            ModificationTime = node.ModifyTime.ToDateTimeOffset(),
            Uid = (int)node.Uid,
            Gid = (int)node.Gid,
            UserName = node.User,
            GroupName = node.Group,
        };
        if (node.Type == NodeType.Symlink) entry.LinkName = NameText.Display(node.LinkTarget);
        if (node.Type is NodeType.CharDevice or NodeType.BlockDevice)
        {
            entry.DeviceMajor = (int)DeviceNumbers.Major(node.DeviceNumber);
            entry.DeviceMinor = (int)DeviceNumbers.Minor(node.DeviceNumber);
        }

        return entry;
    }
}
