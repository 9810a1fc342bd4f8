using Hort.Dashboard.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hort.Dashboard.Tests;

/// <summary>Restores started in the browser, carried out by the real agent on its PC, followed live on the page.</summary>
[Collection(SiteCollection.Name)]
[Trait("Category", "Browser")]
public sealed class RestoreTests(Chromium chromium, DashboardSite site) : BrowserTest(chromium)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_deleted_file_restored_to_its_original_place_comes_back_with_its_bytes()
    {
        var report = Path.Combine(site.Source, SourceFiles.Report);
        File.Delete(report);
        var page = await SignIn.AdministratorAsync(Chromium, site);
        await page.GotoAsync($"/pcs/{site.PcId}/browse?path={Uri.EscapeDataString(report)}");

        await page.Locator("input[name=Where][value=original]").CheckAsync();
        await RestoreAndWaitAsync(page, "restore-file");
        Assert.Equal(SourceFiles.ReportBytes, await File.ReadAllBytesAsync(report, Ct));
    }

    [Fact]
    public async Task A_folder_restored_into_another_folder_is_recreated_there_with_every_file()
    {
        var letters = Path.Combine(site.Source, SourceFiles.LettersFolder);
        var target = Path.Combine(site.Scratch, "restored");
        var page = await SignIn.AdministratorAsync(Chromium, site);
        await page.GotoAsync($"/pcs/{site.PcId}/browse?path={Uri.EscapeDataString(letters)}");

        await page.Locator("input[name=Where][value=folder]").CheckAsync();
        await page.Locator("#Target").FillAsync(target);
        await RestoreAndWaitAsync(page, "restore-folder");

        // The backed-up path is recreated inside the chosen folder.
        var restored = Path.Combine(target, letters.TrimStart('/'));
        var expected = Directory.GetFiles(letters).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(expected, Directory.GetFiles(restored).Select(Path.GetFileName).Order().ToList());
        foreach (var name in expected)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(letters, name!), Ct), await File.ReadAllBytesAsync(Path.Combine(restored, name!), Ct));
        }
    }

    /// <summary>Presses Restore, confirms the question the page asks, and waits until the page shows the job succeeded.</summary>
    private async Task RestoreAndWaitAsync(IPage page, string screenshot)
    {
        string? question = null;
        page.Dialog += async (_, dialog) =>
        {
            question = dialog.Message;
            await dialog.AcceptAsync();
        };
        await Submit.AndWaitAsync(page, page.Locator("form[data-confirm] button[type=submit]"));
        await Expect(page.Locator(".restore-job")).ToBeVisibleAsync();
        Assert.Contains(DashboardSite.PcName, question, StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, screenshot);

        // The page follows the job by itself (hort.js polls); no reload. The agent takes the job within its long poll.
        // While it runs the job shows a progress bar; when it has ended, its state.
        await Expect(page.Locator(".restore-job progress")).ToHaveCountAsync(0, new() { Timeout = 180_000 });
        Assert.True(await page.Locator(".restore-job .state").EvaluateAsync<bool>("e => e.classList.contains('green')"),
            $"the restore ended as: {await page.Locator(".restore-job").InnerTextAsync()}\n{site.Diagnostics()}");
        await Screenshots.SaveAsync(page, screenshot + "-done");
    }
}
