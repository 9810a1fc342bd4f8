using Microsoft.Playwright;

namespace Hort.Dashboard.Tests.Support;

/// <summary>Full-page screenshots saved as test artefacts in <c>artifacts/screenshots/</c>.</summary>
internal static class Screenshots
{
    /// <summary>Saves the whole page (not only the viewport) as <c>&lt;name&gt;.png</c>; returns the file's path.</summary>
    public static async Task<string> SaveAsync(IPage page, string name)
    {
        var path = Path.Combine(Built.Screenshots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return path;
    }
}
