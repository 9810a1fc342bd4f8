using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Format;
using Hort.Repository.Snapshots;

namespace Hort.Repository.Tests.Snapshots;

public sealed class SnapshotCodecRoundtripTests
{
    private static readonly ObjectCipher Cipher = new(Enumerable.Range(3, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public void ToJson_then_FromJson_gives_back_every_field()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(SnapshotGen.Snapshots.ToArbitrary(), snapshot =>
        {
            SnapshotGen.AssertSame(snapshot, SnapshotCodec.FromJson(SnapshotCodec.ToJson(snapshot), "snapshots/test"));
        }));
    }

    [Fact]
    public void Seal_then_Open_gives_back_every_field()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(100), Prop.ForAll(SnapshotGen.Snapshots.ToArbitrary(), snapshot =>
        {
            SnapshotGen.AssertSame(snapshot, SnapshotCodec.Open(Cipher, SnapshotCodec.Seal(Cipher, snapshot), "snapshots/test"));
        }));
    }

    [Fact]
    public void Json_names_the_version_and_leaves_out_a_missing_parent_and_summary()
    {
        var tree = new ObjectId(Enumerable.Repeat((byte)0xab, 32).ToArray());
        var snapshot = new Snapshot { Time = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)), Tree = tree, Paths = ["/home"] };

        using var json = JsonDocument.Parse(SnapshotCodec.ToJson(snapshot));
        var root = json.RootElement;

        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal("2024-05-06T07:08:09.0000000+02:00", root.GetProperty("time").GetString());
        Assert.Equal(tree.ToString(), root.GetProperty("tree").GetString());
        Assert.False(root.TryGetProperty("parent", out _));
        Assert.False(root.TryGetProperty("summary", out _));

        var withParent = snapshot with { Parent = tree, Summary = new SnapshotSummary { Files = 3 } };
        using var json2 = JsonDocument.Parse(SnapshotCodec.ToJson(withParent));
        Assert.Equal(tree.ToString(), json2.RootElement.GetProperty("parent").GetString());
        Assert.Equal(3, json2.RootElement.GetProperty("summary").GetProperty("files").GetInt64());
    }

    [Fact]
    public void A_snapshot_sealed_under_another_key_or_context_is_rejected_naming_it()
    {
        var snapshot = new Snapshot { Time = DateTimeOffset.UnixEpoch, Tree = default, Paths = [] };
        var stored = SnapshotCodec.Seal(Cipher, snapshot);
        var asIndex = Cipher.Encrypt(SnapshotCodec.ToJson(snapshot), FormatVersion.IndexContext);

        var wrongKey = Assert.Throws<RepositoryCorruptException>(() => SnapshotCodec.Open(new ObjectCipher(new byte[32]), stored, "snapshots/ab"));
        var wrongContext = Assert.Throws<RepositoryCorruptException>(() => SnapshotCodec.Open(Cipher, asIndex, "snapshots/ab"));

        Assert.Equal("snapshots/ab", wrongKey.ObjectName);
        Assert.Equal("snapshots/ab", wrongContext.ObjectName);
    }
}
