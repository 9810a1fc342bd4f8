using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewEngines;
using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Hort.Server.Dashboard;

/// <summary>
/// Renders a Razor partial to a string, for the JSON handlers that hort.js polls (<c>data-poll</c>): the same partial
/// draws the first page and each refresh, so both always look the same.
/// </summary>
internal static class PartialHtml
{
    public static async Task<string> RenderAsync(PageModel page, string partialName, object model)
    {
        var engine = page.HttpContext.RequestServices.GetRequiredService<ICompositeViewEngine>();
        var found = engine.FindView(page.PageContext, partialName, isMainPage: false);
        if (!found.Success) throw new InvalidOperationException($"the partial view {partialName} was not found");
        await using var writer = new StringWriter();
        var viewData = new ViewDataDictionary<object>(page.ViewData, model);
        var context = new ViewContext(page.PageContext, found.View, viewData, page.TempData, writer, new HtmlHelperOptions());
        await found.View.RenderAsync(context).ConfigureAwait(false);
        return writer.ToString();
    }

    /// <summary>The answer hort.js expects: the element's new HTML, and whether to stop polling.</summary>
    public static async Task<Microsoft.AspNetCore.Mvc.JsonResult> PollAsync(PageModel page, string partialName, object model, bool done) =>
        new(new PollAnswer(await RenderAsync(page, partialName, model).ConfigureAwait(false), done));

    private sealed record PollAnswer(string Html, bool Done);
}
