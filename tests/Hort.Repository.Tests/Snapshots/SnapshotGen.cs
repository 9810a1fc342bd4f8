using FsCheck;
using FsCheck.Fluent;
using Hort.Core;
using Hort.Repository.Snapshots;
using Hort.Repository.Tests.Format;

namespace Hort.Repository.Tests.Snapshots;

/// <summary>Generators of snapshots, and a comparison that also checks each time's offset.</summary>
internal static class SnapshotGen
{
    private static readonly long MinTicks = DateTime.MinValue.Ticks + TimeSpan.TicksPerDay;
    private static readonly long MaxTicks = DateTime.MaxValue.Ticks - TimeSpan.TicksPerDay;

    /// <summary>Any instant from year 1 to 9999, with any whole-minute offset up to ±14 hours.</summary>
    public static Gen<DateTimeOffset> Times { get; } =
        from bits in FormatGen.UInt64
        from edge in Gen.Frequency((6, Gen.Constant(0)), (1, Gen.Elements(1, 2, 3)))
        from offsetMinutes in Gen.Frequency((2, Gen.Constant(0)), (3, Gen.Choose(-14 * 60, 14 * 60)))
        let ticks = edge switch
        {
            1 => MinTicks,
            2 => MaxTicks,
            3 => DateTime.UnixEpoch.Ticks,
            _ => MinTicks + (long)(bits % (ulong)(MaxTicks - MinTicks)),
        }
        select new DateTimeOffset(ticks, TimeSpan.FromMinutes(offsetMinutes));

    public static Gen<SnapshotSummary> Summaries { get; } =
        from counts in FormatGen.Int64.ArrayOf(11)
        from started in Times
        from finished in Times
        select new SnapshotSummary
        {
            Files = counts[0], Directories = counts[1], OtherEntries = counts[2], TotalBytes = counts[3], FilesNew = counts[4],
            FilesChanged = counts[5], FilesUnchanged = counts[6], BlobsAdded = counts[7], BytesAdded = counts[8],
            StoredBytesAdded = counts[9], Errors = counts[10], Started = started, Finished = finished,
        };

    public static Gen<IReadOnlyList<string>> TextLists { get; } = FormatGen.Text.ListOf().Select(l => (IReadOnlyList<string>)l.Take(8).ToArray());

    public static Gen<Snapshot> Snapshots { get; } =
        from time in Times
        from tree in FormatGen.Id
        from paths in TextLists
        from hostname in FormatGen.Text
        from username in FormatGen.Text
        from uid in FormatGen.UInt32
        from gid in FormatGen.UInt32
        from tags in TextLists
        from excludes in TextLists
        from parent in Gen.Frequency((1, Gen.Constant<ObjectId?>(null)), (1, FormatGen.Id.Select(id => (ObjectId?)id)))
        from program in FormatGen.Text
        from summary in Gen.Frequency((1, Gen.Constant<SnapshotSummary?>(null)), (2, Summaries.Select(s => (SnapshotSummary?)s)))
        select new Snapshot
        {
            Time = time, Tree = tree, Paths = paths, Hostname = hostname, Username = username, Uid = uid, Gid = gid,
            Tags = tags, Excludes = excludes, Parent = parent, Program = program, Summary = summary,
        };

    public static void AssertSame(Snapshot expected, Snapshot actual)
    {
        AssertSameTime(expected.Time, actual.Time);
        Assert.Equal(expected.Tree, actual.Tree);
        Assert.Equal(expected.Paths, actual.Paths);
        Assert.Equal(expected.Hostname, actual.Hostname);
        Assert.Equal(expected.Username, actual.Username);
        Assert.Equal(expected.Uid, actual.Uid);
        Assert.Equal(expected.Gid, actual.Gid);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.Excludes, actual.Excludes);
        Assert.Equal(expected.Parent, actual.Parent);
        Assert.Equal(expected.Program, actual.Program);
        Assert.Equal(expected.Summary is null, actual.Summary is null);
        if (expected.Summary is { } s && actual.Summary is { } a)
        {
            Assert.Equal(s, a);
            AssertSameTime(s.Started, a.Started);
            AssertSameTime(s.Finished, a.Finished);
        }
    }

    private static void AssertSameTime(DateTimeOffset expected, DateTimeOffset actual) =>
        Assert.True(expected.EqualsExact(actual), $"time {actual:O} differs from {expected:O}");
}
