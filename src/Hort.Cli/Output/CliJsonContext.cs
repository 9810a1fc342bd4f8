using System.Text.Json.Serialization;

namespace Hort.Cli.Output;

/// <summary>Source-generated serializers for the --json output (no reflection, so hort can be published with Native AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(InitializedMessage))]
[JsonSerializable(typeof(BackupSummaryMessage))]
[JsonSerializable(typeof(RestoreSummaryMessage))]
[JsonSerializable(typeof(SnapshotEntry[]))]
[JsonSerializable(typeof(NodeEntry))]
[JsonSerializable(typeof(DiffChangeMessage))]
[JsonSerializable(typeof(DiffStatisticsMessage))]
[JsonSerializable(typeof(CheckMessage))]
[JsonSerializable(typeof(RepairMessage))]
[JsonSerializable(typeof(KeyEntry[]))]
[JsonSerializable(typeof(HistoryLockMessage))]
[JsonSerializable(typeof(ForgetGroupEntry[]))]
[JsonSerializable(typeof(PruneMessage))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
