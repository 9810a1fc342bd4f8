using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hort.Protocol;

/// <summary>Source-generated JSON for every protocol record: camelCase members, enums as strings.</summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(SetupRequest))]
[JsonSerializable(typeof(AdminDto))]
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(LoginResponse))]
[JsonSerializable(typeof(AuditEntryDto))]
[JsonSerializable(typeof(IReadOnlyList<AuditEntryDto>))]
[JsonSerializable(typeof(PcDto))]
[JsonSerializable(typeof(IReadOnlyList<PcDto>))]
[JsonSerializable(typeof(PcUpdateRequest))]
[JsonSerializable(typeof(GroupDto))]
[JsonSerializable(typeof(IReadOnlyList<GroupDto>))]
[JsonSerializable(typeof(GroupCreateRequest))]
[JsonSerializable(typeof(SnapshotDto))]
[JsonSerializable(typeof(IReadOnlyList<SnapshotDto>))]
[JsonSerializable(typeof(PolicyDto))]
[JsonSerializable(typeof(EffectivePolicyResponse))]
[JsonSerializable(typeof(EnrollmentCodeCreateRequest))]
[JsonSerializable(typeof(EnrollmentCodeDto))]
[JsonSerializable(typeof(IReadOnlyList<EnrollmentCodeDto>))]
[JsonSerializable(typeof(EnrollmentCodeCreated))]
[JsonSerializable(typeof(EnrollRequest))]
[JsonSerializable(typeof(EnrollResponse))]
[JsonSerializable(typeof(AgentConfigResponse))]
[JsonSerializable(typeof(ServerCertificateDto))]
[JsonSerializable(typeof(JobDto))]
[JsonSerializable(typeof(IReadOnlyList<JobDto>))]
[JsonSerializable(typeof(JobLogEntry))]
[JsonSerializable(typeof(IReadOnlyList<JobLogEntry>))]
[JsonSerializable(typeof(RestoreRequest))]
[JsonSerializable(typeof(JobProgress))]
[JsonSerializable(typeof(AgentJobCreateRequest))]
[JsonSerializable(typeof(JobResult))]
[JsonSerializable(typeof(AgentCommand))]
[JsonSerializable(typeof(IReadOnlyList<AgentCommand>))]
[JsonSerializable(typeof(SessionCreateRequest))]
[JsonSerializable(typeof(SessionResponse))]
[JsonSerializable(typeof(KnownRequest))]
[JsonSerializable(typeof(KnownResponse))]
[JsonSerializable(typeof(CommitRequest))]
[JsonSerializable(typeof(CommitResponse))]
public sealed partial class ProtocolJson : JsonSerializerContext;
