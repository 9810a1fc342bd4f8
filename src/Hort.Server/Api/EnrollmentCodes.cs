using Hort.Protocol;
using Hort.Server.Catalog;
using Hort.Server.Hosting;
using Hort.Server.Security;

namespace Hort.Server.Api;

/// <summary>What is wrong with a request for an enrollment code.</summary>
internal enum EnrollmentCodeProblem
{
    None,
    ValidHours,
    PcName,
    NoSuchGroup,
}

/// <summary>Creates and withdraws enrollment codes for the API and the dashboard alike: checked, stored hashed, audited.</summary>
internal sealed class EnrollmentCodes(ServerCatalog catalog, ServerIdentity identity, AuditLog audit, TimeProvider time)
{
    /// <summary>A new code (shown once) with the fingerprint agents must pin, or why none was made.</summary>
    public async Task<(EnrollmentCodeProblem Problem, EnrollmentCodeCreated? Created)> CreateAsync(
        HttpContext context, EnrollmentCodeCreateRequest request, CancellationToken ct)
    {
        if (request.ValidHours is < 1 or > EnrollmentCodeCreateRequest.MaxValidHours) return (EnrollmentCodeProblem.ValidHours, null);
        if (request.PcName is not null && Names.Problem(request.PcName) is not null) return (EnrollmentCodeProblem.PcName, null);
        if (request.GroupId is not null && (!Ids.IsValid(request.GroupId) || await catalog.GetGroupAsync(request.GroupId, ct).ConfigureAwait(false) is null))
        {
            return (EnrollmentCodeProblem.NoSuchGroup, null);
        }

        var id = Ids.New();
        var code = Credentials.NewCode();
        var now = time.GetUtcNow();
        var expires = now.AddHours(request.ValidHours);
        await catalog.AddEnrollmentCodeAsync(id, Credentials.Hash(Credentials.NormalizeCode(code)), request.GroupId, request.PcName, now, expires, ct).ConfigureAwait(false);
        await audit.RecordAsync(context, "create-enrollment-code", $"code {id} group={request.GroupId} name={request.PcName}").ConfigureAwait(false);
        return (EnrollmentCodeProblem.None, new EnrollmentCodeCreated(id, code, expires, identity.Fingerprint));
    }

    /// <summary>Codes that can still enroll a PC (not used, withdrawn or expired), newest first.</summary>
    public async Task<IReadOnlyList<EnrollmentCodeDto>> OpenAsync(CancellationToken ct) =>
        [.. (await catalog.ListEnrollmentCodesAsync(time.GetUtcNow(), ct).ConfigureAwait(false)).Where(c => c.State == "valid")];

    /// <summary>Ends a code early; false when there is no such code.</summary>
    public async Task<bool> WithdrawAsync(HttpContext context, string codeId, CancellationToken ct)
    {
        if (!Ids.IsValid(codeId) || !await catalog.WithdrawEnrollmentCodeAsync(codeId, ct).ConfigureAwait(false)) return false;
        await audit.RecordAsync(context, "expire-enrollment-code", "code " + codeId).ConfigureAwait(false);
        return true;
    }
}
