using Microsoft.Playwright;

namespace Hort.Dashboard.Tests.Support;

/// <summary>What keyboard focus is on, and whether a person can see it.</summary>
internal static class Focus
{
    /// <summary>Presses Tab until <paramref name="target"/> has focus; false if it is not reached in <paramref name="limit"/> presses.</summary>
    public static async Task<bool> TabToAsync(IPage page, ILocator target, int limit = 60)
    {
        for (var i = 0; i < limit; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await target.EvaluateAsync<bool>("e => e === document.activeElement")) return true;
        }

        return false;
    }

    /// <summary>True when the focused element shows a focus ring: an outline or a box shadow while it matches <c>:focus-visible</c>.</summary>
    public static Task<bool> IsVisiblyFocusedAsync(IPage page) =>
        page.EvaluateAsync<bool>("""
            () => {
                const e = document.activeElement;
                if (!e || e === document.body || !e.matches(':focus-visible')) return false;
                const s = getComputedStyle(e);
                const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
                const r = e.getBoundingClientRect();
                return (outline || s.boxShadow !== 'none') && r.width > 0 && r.height > 0;
            }
            """);

    /// <summary>Describes the focused element, for failure messages.</summary>
    public static Task<string> DescribeAsync(IPage page) =>
        page.EvaluateAsync<string>("() => { const e = document.activeElement; return e ? e.outerHTML.slice(0, 200) : 'nothing'; }");
}
