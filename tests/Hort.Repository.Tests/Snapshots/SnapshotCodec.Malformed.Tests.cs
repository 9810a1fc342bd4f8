using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Crypto;
using Hort.Repository.Snapshots;
using Hort.Repository.Tests.Format;

namespace Hort.Repository.Tests.Snapshots;

public sealed class SnapshotCodecMalformedTests
{
    private static readonly byte[][] Valid = SnapshotGen.Snapshots
        .Sample(10, new Rnd(MalformedInput.Seed), 16)
        .Select(SnapshotCodec.ToJson)
        .ToArray();

    private static readonly Type[] Allowed = [typeof(RepositoryCorruptException), typeof(UnsupportedFormatException)];

    [Fact]
    public void Mutated_json_decodes_to_a_valid_snapshot_or_is_rejected()
    {
        foreach (var mutant in MalformedInput.Mutations(Valid, 3000))
        {
            MalformedInput.AssertDecodesOrRejects(mutant, b => SnapshotCodec.FromJson(b, "snapshots/test"), AssertValid, Allowed);
        }
    }

    [Fact]
    public void Structurally_mutated_json_decodes_to_a_valid_snapshot_or_is_rejected()
    {
        foreach (var mutant in JsonMutations.Mutations(Valid, 3000))
        {
            MalformedInput.AssertDecodesOrRejects(mutant, b => SnapshotCodec.FromJson(b, "snapshots/test"), AssertValid, Allowed);
        }
    }

    [Fact]
    public void Truncated_json_is_rejected_as_corruption()
    {
        foreach (var valid in Valid.Take(4))
        {
            foreach (var mutant in MalformedInput.Truncations(valid, 200))
            {
                MalformedInput.AssertDecodesOrRejects(mutant, b => SnapshotCodec.FromJson(b, "snapshots/test"), _ => Assert.Fail("a truncated snapshot decoded"));
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("\"snapshot\"")]
    [InlineData("{\"version\":1,\"time\":\"2024-01-01T00:00:00Z\",\"tree\":\"xyz\",\"paths\":[]}")]
    [InlineData("{\"version\":1,\"time\":\"yesterday\",\"tree\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"paths\":[]}")]
    [InlineData("{\"version\":1,\"time\":\"2024-01-01T00:00:00Z\",\"tree\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"paths\":[],\"parent\":\"00\"}")]
    [InlineData("{\"version\":1,\"time\":\"2024-01-01T00:00:00Z\",\"tree\":\"0000000000000000000000000000000000000000000000000000000000000000\"}")]
    [InlineData("{\"version\":1,\"time\":\"2024-01-01T00:00:00Z\",\"tree\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"paths\":[],\"uid\":-1}")]
    public void Malformed_snapshots_are_rejected_as_corruption_naming_the_object(string json)
    {
        var e = Assert.Throws<RepositoryCorruptException>(() => SnapshotCodec.FromJson(Encoding.UTF8.GetBytes(json), "snapshots/abcd"));

        Assert.Equal("snapshots/abcd", e.ObjectName);
    }

    [Fact]
    public void Invalid_UTF8_inside_a_string_is_rejected_as_corruption()
    {
        var json = Encoding.UTF8.GetBytes(
            "{\"version\":1,\"time\":\"2024-01-01T00:00:00Z\",\"tree\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"paths\":[\"/home/Xnna\"]}");
        json[json.AsSpan().IndexOf("Xnna"u8)] = 0xff;

        Assert.Throws<RepositoryCorruptException>(() => SnapshotCodec.FromJson(json, "snapshots/abcd"));
    }

    [Fact]
    public void A_newer_snapshot_version_is_refused_as_unsupported_naming_the_version()
    {
        var json = "{\"version\":2,\"time\":\"2024-01-01T00:00:00Z\",\"tree\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"paths\":[]}"u8.ToArray();

        var e = Assert.Throws<UnsupportedFormatException>(() => SnapshotCodec.FromJson(json, "snapshots/abcd"));

        Assert.Contains("version 2", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"time\":\"2024-01-01T00:00:00Z\",\"tree\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"paths\":[]}")]
    [InlineData("{\"version\":0,\"time\":\"2024-01-01T00:00:00Z\",\"tree\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"paths\":[]}")]
    [InlineData("{\"version\":-1,\"time\":\"2024-01-01T00:00:00Z\",\"tree\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"paths\":[]}")]
    public void A_snapshot_without_a_valid_version_is_corrupt_not_from_a_newer_hort(string json)
    {
        // "Upgrade hort" would send the user after a release that does not exist.
        var e = Assert.Throws<RepositoryCorruptException>(() => SnapshotCodec.FromJson(Encoding.UTF8.GetBytes(json), "snapshots/abcd"));

        Assert.Equal("snapshots/abcd", e.ObjectName);
    }

    [Fact]
    public void A_newer_snapshot_version_is_refused_as_unsupported_even_when_its_fields_changed()
    {
        // A later format may rename or drop fields; the version decides what the rest means, so it is checked first.
        var json = "{\"version\":2,\"createdAt\":\"2024-01-01T00:00:00Z\",\"root\":\"abc\"}"u8.ToArray();

        var e = Assert.Throws<UnsupportedFormatException>(() => SnapshotCodec.FromJson(json, "snapshots/abcd"));

        Assert.Contains("version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lists_holding_null_are_rejected_rather_than_decoded_with_null_strings()
    {
        foreach (var member in new[] { "paths", "tags", "excludes" })
        {
            var json = Encoding.UTF8.GetBytes(
                "{\"version\":1,\"time\":\"2024-01-01T00:00:00Z\",\"tree\":\"0000000000000000000000000000000000000000000000000000000000000000\"," +
                (member == "paths" ? "" : "\"paths\":[],") + $"\"{member}\":[\"a\",null]}}");

            MalformedInput.AssertDecodesOrRejects(new Mutant($"{member} holds null", json), b => SnapshotCodec.FromJson(b, "snapshots/abcd"), AssertValid, Allowed);
        }
    }

    [Fact]
    public void Any_change_to_a_stored_snapshot_is_rejected_as_corruption()
    {
        var cipher = new ObjectCipher(new byte[32]);
        var stored = Valid.Take(3).Select(json => SnapshotCodec.Seal(cipher, SnapshotCodec.FromJson(json, "s"))).ToArray();
        foreach (var mutant in MalformedInput.Mutations(stored, 500).Concat(MalformedInput.Truncations(stored[0], 50))
                     .Where(m => !stored.Any(s => s.AsSpan().SequenceEqual(m.Bytes))))
        {
            var e = Assert.Throws<RepositoryCorruptException>(() => SnapshotCodec.Open(cipher, mutant.Bytes, "snapshots/abcd"));
            Assert.Equal("snapshots/abcd", e.ObjectName);
        }
    }

    private static void AssertValid(Snapshot snapshot)
    {
        Assert.NotNull(snapshot.Paths);
        Assert.All(snapshot.Paths, p => Assert.NotNull(p));
        Assert.All(snapshot.Tags, t => Assert.NotNull(t));
        Assert.All(snapshot.Excludes, x => Assert.NotNull(x));
        Assert.NotNull(snapshot.Hostname);
        Assert.NotNull(snapshot.Username);
        Assert.NotNull(snapshot.Program);

        // A decoded snapshot is stable: writing and reading it again changes nothing.
        SnapshotGen.AssertSame(snapshot, SnapshotCodec.FromJson(SnapshotCodec.ToJson(snapshot), "snapshots/test"));
    }
}
