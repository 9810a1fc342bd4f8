using BenchmarkDotNet.Attributes;
using Hort.Core;
using Hort.Repository.Compression;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Repository.Packs;

namespace Hort.Benchmarks;

/// <summary>The per-chunk work of a backup and a restore on one 1 MiB chunk: ID, compression, encryption, and all of them.</summary>
[MemoryDiagnoser]
public class BlobBenchmarks
{
    private const int Length = 1 << 20;
    private byte[] _random = [];
    private byte[] _text = [];
    private byte[] _scratch = [];
    private byte[] _envelope = [];
    private byte[] _sealedText = [];
    private byte[] _raw = [];
    private byte[] _sealedRandom = [];
    private PackEntry _textEntry;
    private PackEntry _randomEntry;
    private ObjectCipher _cipher = null!;
    private BlobCodec _codec = null!;
    private readonly byte[] _ad = new byte[PackEntry.AssociatedDataSize];

    [GlobalSetup]
    public void Setup()
    {
        _random = TestData.Random(Length);
        _text = TestData.SourceText(Length);
        _scratch = new byte[Zstd.CompressBound(Length)];
        _envelope = new byte[BlobCodec.MaxStoredLength(Length)];
        _raw = new byte[Length];
        _cipher = new ObjectCipher(TestData.Key.EncryptionKey);
        _codec = new BlobCodec(TestData.Key);
        var id = TestData.Key.ComputeChunkId(_text);
        var stored = _codec.Seal(BlobType.Data, id, _text, _envelope, out var compression);
        _sealedText = _envelope.AsSpan(0, stored).ToArray();
        _textEntry = new PackEntry(BlobType.Data, compression, 0, (uint)stored, Length, id);
        var randomId = TestData.Key.ComputeChunkId(_random);
        stored = _codec.Seal(BlobType.Data, randomId, _random, _envelope, out compression);
        _sealedRandom = _envelope.AsSpan(0, stored).ToArray();
        _randomEntry = new PackEntry(BlobType.Data, compression, 0, (uint)stored, Length, randomId);
    }

    [Benchmark(Description = "chunk ID (HMAC-SHA256) 1 MiB")]
    public ObjectId ChunkId() => TestData.Key.ComputeChunkId(_random);

    [Benchmark(Description = "zstd -3 compress 1 MiB text")]
    public int CompressText() => Zstd.Compress(_text, _scratch, Compressor.DefaultLevel);

    [Benchmark(Description = "zstd -3 try 1 MiB random")]
    public CompressionKind CompressRandom() => Compressor.CompressOrStore(_random, _scratch, Compressor.DefaultLevel, out _);

    [Benchmark(Description = "encrypt (AES-256-GCM envelope) 1 MiB")]
    public int Encrypt() => _cipher.Encrypt(_random, _ad, _envelope);

    [Benchmark(Description = "seal blob 1 MiB text (zstd + GCM)")]
    public int SealText() => _codec.Seal(BlobType.Data, _textEntry.Id, _text, _envelope, out _);

    [Benchmark(Description = "seal blob 1 MiB random (zstd try + GCM)")]
    public int SealRandom() => _codec.Seal(BlobType.Data, _textEntry.Id, _random, _envelope, out _);

    [Benchmark(Description = "open blob 1 MiB text (GCM + zstd + ID check)")]
    public byte[] OpenText()
    {
        _codec.Open(_sealedText, _textEntry, ObjectId.Empty, _raw);
        return _raw;
    }

    [Benchmark(Description = "open blob 1 MiB random (stored: GCM + ID check)")]
    public byte[] OpenRandom()
    {
        _codec.Open(_sealedRandom, _randomEntry, ObjectId.Empty, _raw);
        return _raw;
    }
}
