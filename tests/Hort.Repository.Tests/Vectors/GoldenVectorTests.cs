using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Hort.Core;
using Hort.Repository.Chunking;
using Hort.Repository.Compression;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Repository.Indexing;
using Hort.Repository.Packs;
using Hort.Repository.Snapshots;
using Hort.Repository.Trees;
using static Hort.Repository.Tests.Vectors.GoldenVectors;

namespace Hort.Repository.Tests.Vectors;

/// <summary>
/// Pins format version 1 to the test vectors of docs/design/repository-format.md, section 14: every value is
/// computed by the code and compared with a literal. The subkeys, chunk IDs, gear table, chunk boundaries,
/// envelopes and Argon2id output were also recomputed independently (tests/testdata/hort-read.py vectors).
/// </summary>
public sealed class GoldenVectorTests : IDisposable
{
    private readonly MasterKey _key = new(VectorInputs.MasterKey);
    private readonly ObjectCipher _cipher;

    public GoldenVectorTests() => _cipher = new ObjectCipher(_key.EncryptionKey);

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Magics_are_the_first_eight_bytes_of_the_SHA256_of_their_labels()
    {
        Assert.Equal(ConfigMagic, Convert.ToHexStringLower(FormatVersion.ConfigMagic));
        Assert.Equal(PackMagic, Convert.ToHexStringLower(FormatVersion.PackMagic));
        Assert.Equal(ConfigMagic, Convert.ToHexStringLower(SHA256.HashData("hort/v1/config"u8)[..8]));
        Assert.Equal(PackMagic, Convert.ToHexStringLower(SHA256.HashData("hort/v1/pack"u8)[..8]));
    }

    [Fact]
    public void Subkeys_of_the_vector_master_key()
    {
        Assert.Equal(EncryptionKey, Convert.ToHexStringLower(_key.EncryptionKey));
        Assert.Equal(ChunkIdKey, Convert.ToHexStringLower(_key.ChunkIdKey));
        Assert.Equal(ChunkerKey, Convert.ToHexStringLower(_key.ChunkerKey));
    }

    [Fact]
    public void Chunk_id_of_hort() => Assert.Equal(HortChunkId, _key.ComputeChunkId("hort"u8).ToString());

    [Fact]
    public void Gear_table_entries()
    {
        var gear = GearTable.Derive(_key.ChunkerKey);

        Assert.Equal(Gear, new[] { gear[0], gear[1], gear[2], gear[3], gear[255] });
    }

    [Fact]
    public void Chunk_boundaries_with_small_parameters()
    {
        var input = VectorInputs.Stream(3 << 20, (1 << 20) + 1000);

        Assert.Equal(ChunkInputA, Convert.ToHexStringLower(SHA256.HashData(input)));
        Assert.Equal(Lines(ChunkVectors.SmallParameters), Chunks(new ChunkerParameters(4096, 16384, 65536), input));
    }

    [Fact]
    public void Chunk_boundaries_with_default_parameters()
    {
        var input = VectorInputs.Stream(12 << 20, 9 << 20);

        Assert.Equal(ChunkInputB, Convert.ToHexStringLower(SHA256.HashData(input)));
        Assert.Equal(Lines(ChunkVectors.DefaultParameters), Chunks(ChunkerParameters.Default, input));
    }

    [Fact]
    public async Task Boundaries_do_not_depend_on_how_the_input_is_read()
    {
        var input = VectorInputs.Stream(3 << 20, (1 << 20) + 1000);
        var chunker = new Chunker(new ChunkerParameters(4096, 16384, 65536), GearTable.Derive(_key.ChunkerKey));
        var position = 0;

        // Deliver the input in odd-sized pieces, as a pipe or a network stream would.
        using var reader = new ChunkReader(chunker, (memory, _) =>
        {
            var count = Math.Min(Math.Min(memory.Length, 7919), input.Length - position);
            input.AsSpan(position, count).CopyTo(memory.Span);
            position += count;
            return ValueTask.FromResult(count);
        });
        var found = new List<string>();
        while (await reader.NextAsync(TestContext.Current.CancellationToken) is { } chunk)
        {
            found.Add($"{reader.ChunkOffset} {chunk.Length} {_key.ComputeChunkId(chunk.Span)}");
        }

        Assert.Equal(Lines(ChunkVectors.SmallParameters), found);
    }

    [Fact]
    public void Envelopes_with_fixed_salts()
    {
        Assert.Equal(Hex(TestEnvelope), Seal("hort object cipher test vector"u8.ToArray(), "hort/v1/test"u8.ToArray(), 0x40));
        Assert.Equal(EmptyEnvelope, Seal([], [], 0x40));
        Assert.Equal(Hex(BlobEnvelope), Seal("hort"u8.ToArray(), BlobAd(BlobType.Data, HortChunkId), 0x40));
        Assert.Equal("hort"u8.ToArray(), _cipher.Decrypt(Convert.FromHexString(Hex(BlobEnvelope)), BlobAd(BlobType.Data, HortChunkId), "vector"));
    }

    [Fact]
    public void Argon2id_matches_libsodium_crypto_pwhash()
    {
        var output = Argon2id.DeriveKey(Encoding.UTF8.GetBytes(VectorInputs.Password), VectorInputs.Sequence(0x20, 16), 1, 8192);

        Assert.Equal(Argon2idOutput, Convert.ToHexStringLower(output));
    }

    [Fact]
    public void Key_file_wraps_the_master_key()
    {
        var password = Encoding.UTF8.GetBytes(VectorInputs.Password);
        var created = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

        var file = KeyFile.Create(
            _key, password, "vector-host", "anna", created, 1, 8192, VectorInputs.Sequence(0x20, 16), VectorInputs.Sequence(0x30, 24));
        var bytes = file.Serialize();

        Assert.Equal(KeyFileJson, Encoding.UTF8.GetString(bytes));
        Assert.Equal(KeyFileId, Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.True(KeyFile.Parse(bytes, "vector").TryUnwrap(password, out var unwrapped));
        using (unwrapped)
        {
            Assert.Equal(VectorInputs.MasterKey, unwrapped.Bytes.ToArray());
        }
    }

    [Fact]
    public void Tree_encoding()
    {
        var empty = new Tree([]).Encode();
        var tree = VectorTree().Encode();

        Assert.Equal(EmptyTreeBytes, Convert.ToHexStringLower(empty));
        Assert.Equal(EmptyTreeId, _key.ComputeChunkId(empty).ToString());
        Assert.Equal(Hex(TreeBytes), Convert.ToHexStringLower(tree));
        Assert.Equal(TreeId, _key.ComputeChunkId(tree).ToString());

        var decoded = Tree.Decode(tree, "vector");
        Assert.Equal(VectorTree().Nodes.Select(Describe), decoded.Nodes.Select(Describe));
    }

    [Fact]
    public void Pack_with_three_blobs()
    {
        var (pack, header) = VectorPack();

        Assert.Equal(Hex(PackHeader), Convert.ToHexStringLower(header));
        Assert.Equal(Hex(PackBytes), Convert.ToHexStringLower(pack));
        Assert.Equal(PackId, Convert.ToHexStringLower(SHA256.HashData(pack)));

        var entries = PackReader.ParseWholePack(_cipher, ObjectId.Parse(PackId), pack);
        var codec = new BlobCodec(_key);
        Assert.Equal([HortChunkId, TreeId, EmptyTreeId], entries.Select(e => e.Id.ToString()));
        Assert.Equal("hort"u8.ToArray(), codec.Open(pack.AsSpan(8, 44), entries[0], ObjectId.Parse(PackId)));
        Assert.Equal(Convert.FromHexString(Hex(TreeBytes)), codec.Open(Slice(pack, entries[1]), entries[1], ObjectId.Parse(PackId)));
    }

    [Fact]
    public void Index_file_listing_the_pack()
    {
        var (pack, header) = VectorPack();
        var plain = new byte[4 + 4 + 32 + 8 + header.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(plain.AsSpan(0), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(plain.AsSpan(4), 1);
        Convert.FromHexString(PackId).CopyTo(plain, 8);
        BinaryPrimitives.WriteUInt64LittleEndian(plain.AsSpan(40), (ulong)pack.Length);
        header.CopyTo(plain, 48);

        Assert.Equal(Hex(IndexPlaintext), Convert.ToHexStringLower(plain));
        var stored = Seal(plain, "hort/v1/index"u8.ToArray(), 0xa0);
        Assert.Equal(Hex(IndexBytes), stored);
        Assert.Equal(IndexId, Convert.ToHexStringLower(SHA256.HashData(Convert.FromHexString(stored))));

        var file = IndexFile.Open(_cipher, Convert.FromHexString(stored), "vector");
        Assert.Empty(file.Supersedes);
        var listed = Assert.Single(file.Packs);
        Assert.Equal((PackId, 766L), (listed.PackId.ToString(), listed.Length));
        Assert.Equal(PackReader.ParseWholePack(_cipher, ObjectId.Parse(PackId), pack), listed.Entries);
    }

    [Fact]
    public void Config_file()
    {
        var config = new RepositoryConfig
        {
            Id = new ObjectId(VectorInputs.Sequence(0xe0, 32)),
            Chunker = new ChunkerParameters(4096, 16384, 65536),
        };
        var stored = new byte[12 + ConfigJson.Length + ObjectCipher.Overhead];
        FormatVersion.ConfigMagic.CopyTo(stored);
        BinaryPrimitives.WriteUInt32LittleEndian(stored.AsSpan(8), 1);
        _cipher.Encrypt(Encoding.UTF8.GetBytes(ConfigJson), stored.AsSpan(0, 12), VectorInputs.Sequence(0xb8, 24), stored.AsSpan(12));

        Assert.Equal(ConfigJson, Encoding.UTF8.GetString(config.ToJson()));
        Assert.Equal(Hex(ConfigBytes), Convert.ToHexStringLower(stored));
        Assert.Equal(config, RepositoryConfig.Open(_cipher, stored, "vector"));
    }

    [Fact]
    public void Snapshot_object()
    {
        var snapshot = VectorSnapshot();
        var json = SnapshotCodec.ToJson(snapshot);

        Assert.Equal(SnapshotJson, Encoding.UTF8.GetString(json));
        var stored = Seal(json, "hort/v1/snapshot"u8.ToArray(), 0xd0);
        Assert.Equal(Hex(SnapshotBytes), stored);
        Assert.Equal(SnapshotId, Convert.ToHexStringLower(SHA256.HashData(Convert.FromHexString(stored))));

        var opened = SnapshotCodec.Open(_cipher, Convert.FromHexString(stored), "vector");
        Assert.Equal(snapshot.Time, opened.Time);
        Assert.Equal(snapshot.Tree, opened.Tree);
        Assert.Equal(["/"], opened.Paths);
        Assert.Equal(["nightly"], opened.Tags);
        Assert.Null(opened.Parent);
    }

    [Fact]
    public void Specification_quotes_every_vector()
    {
        var spec = File.ReadAllText(Path.Combine(VectorInputs.SourceRoot, "docs", "design", "repository-format.md"));
        var hexOnly = string.Concat(spec.Where(c => !char.IsWhiteSpace(c)));
        string[] hex =
        [
            ConfigMagic, PackMagic, EncryptionKey, ChunkIdKey, ChunkerKey, HortChunkId, ChunkInputA, ChunkInputB,
            Hex(TestEnvelope), EmptyEnvelope, Hex(BlobEnvelope), Argon2idOutput, KeyFileId, EmptyTreeBytes, EmptyTreeId, Hex(TreeBytes),
            TreeId, Hex(PackHeader), Hex(PackBytes), PackId, Hex(IndexPlaintext), Hex(IndexBytes), IndexId, Hex(ConfigBytes),
            Hex(SnapshotBytes), SnapshotId, .. Gear.Select(g => g.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)),
        ];

        Assert.All(hex, value => Assert.Contains(value, hexOnly, StringComparison.Ordinal));
        Assert.All(
            Lines(ChunkVectors.SmallParameters).Concat(Lines(ChunkVectors.DefaultParameters)),
            line => Assert.Contains(line, spec, StringComparison.Ordinal));
        Assert.Contains(KeyFileJson, spec, StringComparison.Ordinal);
        Assert.Contains(ConfigJson, spec, StringComparison.Ordinal);
        Assert.Contains(SnapshotJson, spec, StringComparison.Ordinal);
    }

    /// <summary>The tree of section 14.8: a directory, a file with one chunk and an extended attribute, a symlink.</summary>
    internal static Tree VectorTree() => new([
        new TreeNode
        {
            Name = "docs"u8.ToArray(), Type = NodeType.Directory, Mode = 0x1ed, Uid = 1000, Gid = 1000, User = "anna", Group = "staff",
            ModifyTime = new(1700000000, 123456789), AccessTime = new(1700000001, 0), ChangeTime = new(1700000002, 500),
            Inode = 1234, Device = 2049, LinkCount = 2, Subtree = ObjectId.Parse(EmptyTreeId),
        },
        new TreeNode
        {
            Name = "hort.txt"u8.ToArray(), Type = NodeType.File, Mode = 0x1a4, Uid = 1000, Gid = 1000, User = "anna", Group = "staff",
            ModifyTime = new(1700000000, 0), AccessTime = new(1700000000, 0), ChangeTime = new(1700000000, 0),
            Inode = 1235, Device = 2049, LinkCount = 1, Size = 4, Content = [ObjectId.Parse(HortChunkId)],
            ExtendedAttributes = [new ExtendedAttribute("user.comment"u8.ToArray(), "test"u8.ToArray())],
        },
        new TreeNode
        {
            Name = "link"u8.ToArray(), Type = NodeType.Symlink, Mode = 0x1ff, Uid = 1000, Gid = 1000, User = "anna", Group = "staff",
            ModifyTime = new(1700000000, 0), AccessTime = new(1700000000, 0), ChangeTime = new(1700000000, 0),
            Inode = 1236, Device = 2049, LinkCount = 1, LinkTarget = "hort.txt"u8.ToArray(),
        },
    ]);

    /// <summary>The snapshot of section 14.12.</summary>
    internal static Snapshot VectorSnapshot() => new()
    {
        Time = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(6789012),
        Tree = ObjectId.Parse(TreeId),
        Paths = ["/"],
        Hostname = "vector-host",
        Username = "anna",
        Uid = 1000,
        Gid = 1000,
        Tags = ["nightly"],
        Program = "hort 0.1.0",
    };

    /// <summary>The pack of section 14.9 and its header plaintext, assembled from the format's parts.</summary>
    private (byte[] Pack, byte[] Header) VectorPack()
    {
        var tree = Convert.FromHexString(Hex(TreeBytes));
        var empty = Convert.FromHexString(EmptyTreeBytes);
        var blobs = new (BlobType Type, string Id, byte[] Raw, int Salt)[]
        {
            (BlobType.Data, HortChunkId, "hort"u8.ToArray(), 0x40),
            (BlobType.Tree, TreeId, tree, 0x58),
            (BlobType.Tree, EmptyTreeId, empty, 0x70),
        };

        var pack = new List<byte>(Convert.FromHexString(PackMagic));
        var header = new byte[4 + (blobs.Length * PackEntry.Size)];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)blobs.Length);
        for (var i = 0; i < blobs.Length; i++)
        {
            var (type, id, raw, salt) = blobs[i];
            var envelope = Convert.FromHexString(Seal(raw, BlobAd(type, id), salt));
            new PackEntry(type, CompressionKind.None, (uint)pack.Count, (uint)envelope.Length, (uint)raw.Length, ObjectId.Parse(id))
                .Write(header.AsSpan(4 + (i * PackEntry.Size), PackEntry.Size));
            pack.AddRange(envelope);
        }

        var headerEnvelope = Convert.FromHexString(Seal(header, "hort/v1/pack-header"u8.ToArray(), 0x88));
        pack.AddRange(headerEnvelope);
        var trailer = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, (uint)headerEnvelope.Length);
        pack.AddRange(trailer);
        return (pack.ToArray(), header);
    }

    private string Seal(byte[] plaintext, byte[] associatedData, int firstSaltByte)
    {
        var envelope = new byte[plaintext.Length + ObjectCipher.Overhead];
        _cipher.Encrypt(plaintext, associatedData, VectorInputs.Sequence(firstSaltByte, ObjectCipher.SaltSize), envelope);
        return Convert.ToHexStringLower(envelope);
    }

    private static byte[] BlobAd(BlobType type, string id)
    {
        var ad = new byte[PackEntry.AssociatedDataSize];
        PackEntry.WriteAssociatedData(type, ObjectId.Parse(id), ad);
        return ad;
    }

    private static ReadOnlySpan<byte> Slice(byte[] pack, PackEntry entry) => pack.AsSpan((int)entry.Offset, (int)entry.StoredLength);

    private List<string> Chunks(ChunkerParameters parameters, byte[] input)
    {
        var chunker = new Chunker(parameters, GearTable.Derive(_key.ChunkerKey));
        return chunker.Split(input).Select(c => $"{c.Offset} {c.Length} {_key.ComputeChunkId(input.AsSpan(c.Offset, c.Length))}").ToList();
    }

    private static string[] Lines(string block) => block.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Describe(TreeNode n) =>
        $"{Convert.ToHexStringLower(n.Name)} {n.Type} {n.Mode} {n.Uid} {n.Gid} {n.User} {n.Group} {n.ModifyTime} {n.AccessTime} {n.ChangeTime} "
        + $"{n.Inode} {n.Device} {n.LinkCount} {n.DeviceNumber} {n.Size} {Convert.ToHexStringLower(n.LinkTarget)} "
        + string.Join(",", n.ExtendedAttributes.Select(x => Convert.ToHexStringLower(x.Name) + "=" + Convert.ToHexStringLower(x.Value)))
        + $" {string.Join(",", n.Content)} {n.Subtree}";
}
