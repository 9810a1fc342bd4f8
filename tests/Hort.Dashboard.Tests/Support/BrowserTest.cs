namespace Hort.Dashboard.Tests.Support;

/// <summary>A test class that opens pages in <see cref="Chromium"/>; they are closed (and kept as screenshots on failure) after each test.</summary>
public abstract class BrowserTest(Chromium chromium) : IAsyncDisposable
{
    protected Chromium Chromium { get; } = chromium;

    public virtual async ValueTask DisposeAsync()
    {
        await Chromium.EndTestAsync();
        GC.SuppressFinalize(this);
    }
}
