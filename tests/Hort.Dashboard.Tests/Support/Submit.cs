using Microsoft.Playwright;

namespace Hort.Dashboard.Tests.Support;

/// <summary>Form submission that waits for the server's answer, so the next step acts on the page that answer shows.</summary>
internal static class Submit
{
    /// <summary>Clicks <paramref name="button"/> and waits until the page the POST's answer leads to (after any redirect) has loaded.</summary>
    /// <remarks>
    /// The page the click leaves is marked, and the wait ends on an unmarked, complete document. Waiting for
    /// Playwright's load event instead sometimes never ends after a redirect with Debian's chromium, though the page is there.
    /// </remarks>
    public static async Task AndWaitAsync(IPage page, ILocator button)
    {
        await MarkAsync(page);
        await page.RunAndWaitForResponseAsync(() => button.ClickAsync(), r => r.Request.Method == "POST" && r.Request.IsNavigationRequest);
        await NewDocumentAsync(page);
    }

    /// <summary>Waits until the page shows a document loaded after the last <see cref="AndWaitAsync"/> or <see cref="MarkAsync"/>.</summary>
    public static Task NewDocumentAsync(IPage page) =>
        page.WaitForFunctionAsync("() => window.hortTestLeaving === undefined && document.readyState === 'complete'");

    /// <summary>Marks the current document, before an action that replaces it by a GET (a link with a redirect).</summary>
    public static Task MarkAsync(IPage page) => page.EvaluateAsync("() => { window.hortTestLeaving = true; }");
}
