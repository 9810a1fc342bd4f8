namespace Hort.Repository.Tests.Vectors;

/// <summary>
/// The format's golden test vectors as quoted in docs/design/repository-format.md, section 14. Long values are
/// wrapped at 32 bytes per line; <see cref="Hex"/> removes the line breaks. These constants must never change:
/// a change here means that hort no longer reads or writes format version 1.
/// </summary>
internal static class GoldenVectors
{
    public const string ConfigMagic = "b2e7aeaa6b6ac493";
    public const string PackMagic = "7fc320e3f055b665";

    public const string EncryptionKey = "4d1d14a259e0445b83232e55d801fbdf5cd756da6bc1371a5002b84df2c4244e";
    public const string ChunkIdKey = "7416bbc2fe205355949d3a0a53c465d88e0555db2249c7c701983244f9487605";
    public const string ChunkerKey = "09d041c389cc2ba104b81215df6a7149e0d8f6329354edece6fb2e5df8a1ce83";

    /// <summary>14.3: HMAC-SHA256(ChunkIdKey, ASCII "hort").</summary>
    public const string HortChunkId = "c08fffcb075115b2c372df416b4df46e957381b8e03d680540ce76129fa73401";

    /// <summary>14.4: gear[0], gear[1], gear[2], gear[3] and gear[255] as 64-bit values in hex.</summary>
    public static readonly ulong[] Gear = [0xc791824a821668c6, 0xb5ce4bc55236179f, 0xc0e9640a504e4010, 0x57bf359493037ec9, 0xd7014538facb2938];

    /// <summary>14.5: SHA-256 of chunking input A and of chunking input B.</summary>
    public const string ChunkInputA = "b856ce358e11a03d10525681cd324818f6d0809a1ffc9e8c6298aa08d1fb306a";
    public const string ChunkInputB = "8f981aa085c223a4f276ec1d913950af8c3b3050f730488dcee92c5b89407ded";

    /// <summary>14.6: "hort object cipher test vector" sealed with associated data "hort/v1/test" and salt 40 41 … 57.</summary>
    public const string TestEnvelope = """
        404142434445464748494a4b4c4d4e4f5051525354555657
        09b6bd36f0a77f371707d6de1408a8120fe5d4f556ebe365ebb271afbdb1
        d22b25f7e2ad8c0d36ef63551b031ffd
        """;

    /// <summary>14.6: the empty plaintext sealed with empty associated data and salt 40 41 … 57.</summary>
    public const string EmptyEnvelope = "404142434445464748494a4b4c4d4e4f5051525354555657b57a0e65ee0af98f3cdff9564481f0c1";

    /// <summary>14.7: Argon2id("hort-test-vector", salt 20 21 … 2f, opslimit 1, memlimit 8192).</summary>
    public const string Argon2idOutput = "a6e694527ee81786eb9c212b0d88cba8c604ed1d1af1be585e61477db41afdf6";

    /// <summary>14.7: the storage name of the vector key file.</summary>
    public const string KeyFileId = "a176776bfbd646cdfdfb162cd9010f42858e871de6541883ee7ed5a3a5e5209d";

    /// <summary>14.6: the stored envelope of the data blob "hort" (salt 40 41 … 57).</summary>
    public const string BlobEnvelope = """
        404142434445464748494a4b4c4d4e4f505152535455565709b6bd36e359bff1
        047209e762936c51339156a3
        """;

    /// <summary>14.8: the encoding of a tree with no nodes.</summary>
    public const string EmptyTreeBytes = "0100000000";

    /// <summary>14.8: its blob ID.</summary>
    public const string EmptyTreeId = "2d48b2c96ff0e04c425e9482482c3fbe9132844379ab7f840b07d7e8a1fff7ac";

    /// <summary>14.8: the encoding of the vector tree (docs, hort.txt, link).</summary>
    public const string TreeBytes = """
        0103000000020400646f6373ed010000e8030000e80300000400616e6e610500
        737461666600f153650000000015cd5b0701f15365000000000000000002f153
        6500000000f4010000d204000000000000010800000000000002000000000000
        000000000000000000000000000000000000002d48b2c96ff0e04c425e948248
        2c3fbe9132844379ab7f840b07d7e8a1fff7ac010800686f72742e747874a401
        0000e8030000e80300000400616e6e610500737461666600f153650000000000
        00000000f15365000000000000000000f153650000000000000000d304000000
        0000000108000000000000010000000000000000000000040000000000000000
        00000001000c00757365722e636f6d6d656e74040000007465737401000000c0
        8fffcb075115b2c372df416b4df46e957381b8e03d680540ce76129fa7340103
        04006c696e6bff010000e8030000e80300000400616e6e610500737461666600
        f15365000000000000000000f15365000000000000000000f153650000000000
        000000d404000000000000010800000000000001000000000000000000000000
        0000000000000008000000686f72742e7478740000
        """;

    /// <summary>14.8: its blob ID.</summary>
    public const string TreeId = "c22c279a46f3077073787b274b56a775f42c66b89edd07635278ff3f81465fc3";

    /// <summary>14.9: the plaintext of the vector pack's header.</summary>
    public const string PackHeader = """
        0300000001000000080000002c00000004000000c08fffcb075115b2c372df41
        6b4df46e957381b8e03d680540ce76129fa734010200000034000000dd010000
        b5010000c22c279a46f3077073787b274b56a775f42c66b89edd07635278ff3f
        81465fc302000000110200002d000000050000002d48b2c96ff0e04c425e9482
        482c3fbe9132844379ab7f840b07d7e8a1fff7ac
        """;

    /// <summary>14.9: the vector pack, whole.</summary>
    public const string PackBytes = """
        7fc320e3f055b665404142434445464748494a4b4c4d4e4f5051525354555657
        09b6bd36e359bff1047209e762936c51339156a358595a5b5c5d5e5f60616263
        6465666768696a6b6c6d6e6f84594505134551068dfa8fa759d40e877876e05d
        d65d0f491e918e0e011a4d40b8aca5783b1b4bf931432f2669cacb6e94be716d
        068873abbcbadc57024aed8ab3a1c196b70f179eef87ff0dcfe4fb0a982b8abe
        7e5785bc24983b54d8726db62014d09d4e453437255bb317305db6e5e16549ba
        f980f1df35eddf0336156dccb9d5b33b90a6d2467d2b17b9ca807cece7b72229
        2363c91e0cd02ca00e5861f145f3cdb73fcad845c9c872e57e4450a8601d06d9
        c93757953e84a6716165e3dd23f19ce749587e4f50c8a132ad3aa269babea91d
        a63b3c2b795aa137c7372888f14d0534874de45c424f2b870b7dcd1401de78a0
        f82e69e090cc98e0390878905c9337f69002d53f6ceea38f6aa64cc3d56ed813
        9500a098436f5ba21e008b6ee77c89048ba3693462851c111604faddfa6dcee5
        3221433b7e525e7c543eac320cf4a72fb6389b285ab297d54e578a39b28114bd
        1e93535363377566971deaeb805993110649393104c5109b21b470ed89d5c2f0
        f55dbdf4cb16ce5b08e9834510da06998b8557a8cdba71494f06f2a7f5653b5e
        39066c808f69c232740c8c4e7eef159709dd6769a2fc7c3117da504ff83cb3ab
        2dc74f67332e543480e4fd3460b2d7b2ca707172737475767778797a7b7c7d7e
        7f8081828384858687aa2baa84333979624852cd14c33913a4c6a6cd1c308889
        8a8b8c8d8e8f909192939495969798999a9b9c9d9e9f0c4f184b790ea76ff864
        cb3d49c699be26c8399bc559eff73edfbc9e92253ee7d6526443d3b61e8dd69c
        0158ae0e891cbf68039210f6489ef4bea2b29d34d9fe2fb51eaf0c87c3a3e297
        b21b4c36051d578d67a5c8e97ad09eb4ab0de302fa5f11a389748c13e2befda6
        95d314e12cee8687663f3894b88cbc9fa90801af5af0af289a5c1a3469502df9
        e2f6a46fd4653b70e2a26fe4f0a1826db5c7ed42322ad9914d59bc000000
        """;

    /// <summary>14.9: its storage name (SHA-256 of the pack).</summary>
    public const string PackId = "c83cac8f208d2b45a4f2d46b1e473222c119677e8f5b646ab6d9b14f0d8f1c6d";

    /// <summary>14.10: the plaintext of the vector index file.</summary>
    public const string IndexPlaintext = """
        0000000001000000c83cac8f208d2b45a4f2d46b1e473222c119677e8f5b646a
        b6d9b14f0d8f1c6dfe020000000000000300000001000000080000002c000000
        04000000c08fffcb075115b2c372df416b4df46e957381b8e03d680540ce7612
        9fa734010200000034000000dd010000b5010000c22c279a46f3077073787b27
        4b56a775f42c66b89edd07635278ff3f81465fc302000000110200002d000000
        050000002d48b2c96ff0e04c425e9482482c3fbe9132844379ab7f840b07d7e8
        a1fff7ac
        """;

    /// <summary>14.10: the stored vector index file.</summary>
    public const string IndexBytes = """
        a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7ea862e2912a0271b
        2126ab21ee61018b2b482007154fc667d49b01762b80cfe65d87c05b12dfe46d
        2d70467eed42f35d16c47a618e001b9994d2fca567d1dd6b47a97690858d9505
        61f21cfdb55e01a04f3f1bdfa33d616d11be1624a508e4a730db8e12374a8d3d
        e007498129b9d2b503d12aaeb96f9060bda3f0c9f45e292363e5416f9cef6830
        54e9015e14eec8b0891b67abfca708e3bb58b63f8091550cb52fbace76de7654
        91df5ce2929b9a895ee3740d5b012586c2a548310ff2a7c75435f534acd56ae5
        50a6190b9922e742d48b4834
        """;

    /// <summary>14.10: its storage name.</summary>
    public const string IndexId = "76569162fb9caa8d8cc2a5cf292d931a897ccdaa7e8487086cbdcdb5268adb7b";

    /// <summary>14.11: the stored vector config file.</summary>
    public const string ConfigBytes = """
        b2e7aeaa6b6ac49301000000b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacb
        cccdcecf6031ab38ce519ed9bd9dce31a313b09fe44e07ca7d74fa81944330b3
        819c60b90fe1038cd362b5c0dd53c822596899df8bd966c1e73f4a8eb5325597
        8eaa78b85b28e08efca5f59be7b2768d9df1f6652d7aae77b399aef4c22ea1f5
        ba40a5dc80d9e45474185038f5e1c8ecaaf6e0e5cc163c83e572146ca21de05f
        aa1996fe0ba14b28bb81c15232cdf4292e36a4e1ff1bfe2288f71b1d5b02a30d
        6db83a710b7e3605a519b71fe2387f1e4f0190e08f3df4cd4d314d0047b044c1
        73776d3cabc07e5d973b50d7c9aeaa7819a51832ce0559706ccf81b3615f97fb
        bcbed47fe722878ed03a75a0fc9248523194eba405799a384ae41f962ff2a181
        558a8e18143eb284d9edb53fe991a0292e11b42d9cddfd3fe8baa93125602d28
        c58a89bc943bc6fcc3c3662bd5b457415bd3ea3a68dd99ed499e3eb27b217c9b
        ce71b153ea0c6d33c2377b2663a109743c2653501dd23720967d98fef6edd181
        b08993f480d9f6e76299513e30e3c8cd7908
        """;

    /// <summary>14.12: the stored vector snapshot.</summary>
    public const string SnapshotBytes = """
        d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e72dcab9c52940c8a8
        bcdc9b4a409fc6a170bbc2acfadb994ec937e47ecdcf3d690dbd9f842df84657
        4c3abe63ebade7fe1c9a3a96f74c4f192249f78b8fbe3129bac7fe9b242ddacf
        1a567643de169f81e9504613475874000a7038f3e995a097ae5a485778304fa6
        b291beeca42853d7666efed2dddc752cb46cec8c85b96953f79563156723c027
        69899a6d832c5ca90b8c9f0047885a848be337712e383630fab98c44bc770d0f
        dd6a0285a9d8c875664dcfcf458c46024bf5c2d6f1b8d5d4d89e442c0f19d4bb
        308a6c9b38a5681d6d1366b64e49affaa4578d1eab47f30418cf2d1288e0a38f
        029c22b78638e210c1e126d988f9a9379403c844f6d5902db4d1a95ad7b65d9d
        8556d047b52eabdd9f3a91ff4498f57234c56c96e97b
        """;

    /// <summary>14.12: its storage name (the snapshot ID).</summary>
    public const string SnapshotId = "9f905c6f1de6ffff13228e9a21f0f8d11a2b4dd85ab624ef7a54f20b3e567c65";

    /// <summary>14.7: the vector key file, exactly as stored.</summary>
    public const string KeyFileJson = """
        {"version":1,"created":"2024-01-02T03:04:05Z","hostname":"vector-host","username":"anna","kdf":{"algorithm":"argon2id","opsLimit":1,"memLimit":8192,"salt":"ICEiIyQlJicoKSorLC0uLw=="},"wrappedKey":"MDEyMzQ1Njc4OTo7PD0+P0BBQkNERUZHHcdJKwRb6SneZ7o56Jo9/6O2bnzXIziSx7g7PTPHiTtTJpoBgbORHP98MG0g9Llh"}
        """;

    /// <summary>14.11: the JSON inside the vector config envelope.</summary>
    public const string ConfigJson = """
        {
          "version": 1,
          "id": "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
          "chunker": {
            "algorithm": "fastcdc-gear-hmac-sha256",
            "minSize": 4096,
            "averageSize": 16384,
            "maxSize": 65536
          },
          "chunkId": "hmac-sha256",
          "cipher": "aes-256-gcm-hmac-sha256-subkey",
          "compression": "zstd",
          "packSize": 16777216
        }
        """;

    /// <summary>14.12: the JSON inside the vector snapshot envelope.</summary>
    public const string SnapshotJson = """
        {"version":1,"time":"2024-01-02T03:04:05.6789012\u002B00:00","tree":"c22c279a46f3077073787b274b56a775f42c66b89edd07635278ff3f81465fc3","paths":["/"],"hostname":"vector-host","username":"anna","uid":1000,"gid":1000,"tags":["nightly"],"excludes":[],"program":"hort 0.1.0"}
        """;

    /// <summary>A hex constant without its line breaks.</summary>
    public static string Hex(string wrapped) => string.Concat(wrapped.Where(c => !char.IsWhiteSpace(c)));
}
