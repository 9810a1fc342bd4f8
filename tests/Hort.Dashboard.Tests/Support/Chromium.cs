using Microsoft.Playwright;

namespace Hort.Dashboard.Tests.Support;

/// <summary>
/// Debian's chromium, headless, driven by Playwright's bundled driver (its own browser download is not used). One
/// browser for the whole test assembly; every test gets fresh contexts (own cookies) from it.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Desktop and phone viewport widths the screenshots are taken at.</summary>
    public const int DesktopWidth = 1280;
    public const int PhoneWidth = 390;

    // Generous: the machine the tests run on is shared and often loaded; no test asserts a duration.
    private const float ActionTimeout = 60_000;

    private readonly List<IBrowserContext> _contexts = [];
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: apt-get install chromium (scripts/test.sh does)");
        Assertions.SetDefaultExpectTimeout(ActionTimeout);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Timeout = 120_000,
            // /dev/shm is small in containers; chromium falls back to /tmp with this.
            Args = ["--disable-dev-shm-usage"],
        });
    }

    /// <summary>A new page in a fresh context (no cookies) whose relative URLs go to <paramref name="server"/>.</summary>
    /// <param name="width">Viewport width in CSS pixels.</param>
    /// <param name="locale">The browser's language, sent as Accept-Language.</param>
    internal async Task<IPage> NewPageAsync(HortServer server, int width = DesktopWidth, string locale = "en-US")
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.Address.ToString(),
            // hortd presents a self-signed certificate that agents pin by fingerprint; a browser has no such pin, so the
            // tests accept it as an administrator does once after comparing the fingerprint. Nothing else is trusted:
            // the browser talks only to this test's hortd on loopback.
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = width, Height = width < 600 ? 844 : 900 },
            IsMobile = width < 600,
            HasTouch = width < 600,
            Locale = locale,
            AcceptDownloads = true,
        });
        context.SetDefaultTimeout(ActionTimeout);
        context.SetDefaultNavigationTimeout(ActionTimeout);
        _contexts.Add(context);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Closes the pages the test opened. When the test failed, each is first saved as
    /// <c>failed/&lt;test&gt;-N.png</c> beside the screenshots and its address written to the test's output.
    /// </summary>
    internal async Task EndTestAsync()
    {
        var context = TestContext.Current;
        var failed = context.TestState?.Result == TestResult.Failed;
        var pages = _contexts.SelectMany(c => c.Pages).ToList();
        for (var i = 0; failed && i < pages.Count; i++)
        {
            var name = $"failed/{context.Test?.TestCase.TestMethod?.MethodName ?? "test"}-{i}";
            context.TestOutputHelper?.WriteLine($"page {i}: {pages[i].Url} (screenshot {name}.png)");
            Directory.CreateDirectory(Path.Combine(Built.Screenshots, "failed"));
            await Screenshots.SaveAsync(pages[i], name);
        }

        foreach (var c in _contexts) await c.CloseAsync();
        _contexts.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
    }
}
