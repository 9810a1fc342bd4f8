using Hort.Protocol;
using Hort.Server.Api;
using Hort.Server.Catalog;
using Hort.Server.Dashboard.Admin;
using Hort.Server.Dashboard.Auth;
using Hort.Server.Dashboard.Text;
using Hort.Server.Hosting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Hort.Server.Dashboard.Pages;

/// <summary>
/// Add a PC: create an enrollment code (through <see cref="EnrollmentCodes"/>, as the API does) and show the one
/// command that enrolls the PC with it; list the codes still open and withdraw them.
/// </summary>
[Authorize(Policy = DashboardAuth.AdminPolicy)]
internal sealed class AddPcModel(ServerCatalog catalog, EnrollmentCodes codes, HortdOptions options, PageText text) : PageModel
{
    /// <summary>How long a new code may be used, in hours, as the form offers it.</summary>
    public static readonly int[] Validities = [1, 24, 72, 168, EnrollmentCodeCreateRequest.MaxValidHours];

    [BindProperty]
    public string? GroupId { get; set; }

    [BindProperty]
    public string? PcName { get; set; }

    [BindProperty]
    public int ValidHours { get; set; } = 24;

    [BindProperty]
    public string? CodeId { get; set; }

    [TempData]
    public string? Done { get; set; }

    public IReadOnlyList<GroupRecord> Groups { get; private set; } = [];

    public IReadOnlyList<EnrollmentCodeDto> Open { get; private set; } = [];

    /// <summary>The code just created (shown this once) and its command.</summary>
    public (EnrollmentCodeCreated Code, string Command)? Created { get; private set; }

    /// <summary>Where the PC reaches this server, as the command names it.</summary>
    public string ServerAddress => EnrollCommand.ServerAddress(Request, options);

    public (string Field, string Message)? Error { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct).ConfigureAwait(false);

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        var name = string.IsNullOrWhiteSpace(PcName) ? null : PcName.Trim();
        var group = string.IsNullOrEmpty(GroupId) ? null : GroupId;
        var (problem, created) = await codes.CreateAsync(HttpContext, new EnrollmentCodeCreateRequest(group, name, ValidHours), ct).ConfigureAwait(false);
        await LoadAsync(ct).ConfigureAwait(false);
        if (created is not null)
        {
            // Shown on this answer only: the code is stored hashed and cannot be shown again.
            Created = (created, EnrollCommand.For(ServerAddress, created.Code, created.ServerFingerprint));
            return Page();
        }

        Error = problem switch
        {
            EnrollmentCodeProblem.PcName => ("PcName", text.Format("addpc.nameBad", Names.MaxLength)),
            EnrollmentCodeProblem.NoSuchGroup => ("GroupId", text["addpc.noSuchGroup"]),
            _ => ("ValidHours", text["addpc.validityBad"]),
        };
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    public async Task<IActionResult> OnPostWithdrawAsync(CancellationToken ct)
    {
        if (CodeId is null || !await codes.WithdrawAsync(HttpContext, CodeId, ct).ConfigureAwait(false)) return NotFound();
        Done = text["addpc.withdrawn"];
        return RedirectToPage();
    }

    /// <summary>A group's name, or the words for none.</summary>
    public string GroupName(string? groupId) =>
        groupId is null ? text["addpc.noGroup"] : Groups.FirstOrDefault(g => g.Id == groupId)?.Name ?? groupId;

    /// <summary>A validity in words ("1 hour", "7 days").</summary>
    public string Validity(int hours) => hours < 24 ? text.Format("addpc.hours", hours) : text.Format("addpc.days", hours / 24);

    private async Task LoadAsync(CancellationToken ct)
    {
        Groups = await catalog.ListGroupsAsync(ct).ConfigureAwait(false);
        Open = await codes.OpenAsync(ct).ConfigureAwait(false);
    }
}
