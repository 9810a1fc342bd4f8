using System.IO.Compression;
using Hort.Dashboard.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Hort.Dashboard.Tests;

/// <summary>Finding a file in the real agent's backup and downloading it, alone or its folder as a zip, with the original bytes.</summary>
[Collection(SiteCollection.Name)]
[Trait("Category", "Browser")]
public sealed class BrowseTests(Chromium chromium, DashboardSite site) : BrowserTest(chromium)
{
    [Fact]
    public async Task A_file_found_by_name_downloads_with_the_bytes_the_pc_backed_up()
    {
        var page = await SignIn.AdministratorAsync(Chromium, site);
        await page.GotoAsync($"/pcs/{site.PcId}/browse");
        await Screenshots.SaveAsync(page, "browse");

        await page.Locator("#q").FillAsync("quarterly");
        await page.Locator("form[role=search] button[type=submit]").ClickAsync();
        var hit = page.Locator("main section table a", new() { HasText = SourceFiles.Report });
        await Expect(hit).ToHaveCountAsync(1);
        await Screenshots.SaveAsync(page, "browse-search");
        await hit.ClickAsync();

        await Expect(page.Locator("main h2").First).ToHaveTextAsync(SourceFiles.Report);
        await Screenshots.SaveAsync(page, "browse-file");
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("main a.button.primary[download]").ClickAsync());
        Assert.Equal(SourceFiles.Report, download.SuggestedFilename);
        Assert.Equal(SourceFiles.ReportBytes, await File.ReadAllBytesAsync(await download.PathAsync(), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_folder_downloads_as_a_zip_holding_each_file_with_its_bytes()
    {
        var page = await SignIn.AdministratorAsync(Chromium, site);
        await page.GotoAsync($"/pcs/{site.PcId}/browse?path={Uri.EscapeDataString(site.Source)}");
        await page.Locator("main table a", new() { HasText = SourceFiles.LettersFolder + "/" }).ClickAsync();
        await Expect(page.Locator("main table.entries tbody tr")).ToHaveCountAsync(3);
        await Screenshots.SaveAsync(page, "browse-folder");

        var download = await page.RunAndWaitForDownloadAsync(() =>
            page.Locator("main a[download]", new() { HasText = "zip" }).ClickAsync());
        await using var zip = await ZipFile.OpenReadAsync(await download.PathAsync(), TestContext.Current.CancellationToken);
        var letters = Path.Combine(site.Source, SourceFiles.LettersFolder);
        var files = zip.Entries.Where(e => e.Name.Length > 0).ToList();
        Assert.Equal(3, files.Count);
        foreach (var entry in files)
        {
            await using var stream = await entry.OpenAsync(TestContext.Current.CancellationToken);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, TestContext.Current.CancellationToken);
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(letters, entry.Name), TestContext.Current.CancellationToken), copy.ToArray());
        }
    }
}
