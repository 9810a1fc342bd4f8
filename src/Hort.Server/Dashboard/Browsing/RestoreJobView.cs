using System.Globalization;
using System.Text.Encodings.Web;
using Hort.Protocol;
using Hort.Server.Dashboard.Text;

namespace Hort.Server.Dashboard.Browsing;

/// <summary>
/// The state of a restore job as HTML: drawn in the page and sent again to hort.js on each poll, so both look the same.
/// </summary>
public static class RestoreJobView
{
    public static string Html(JobDto job, PageText text)
    {
        var (css, key) = job.State switch
        {
            JobValues.Succeeded => ("green", "browse.jobSucceeded"),
            JobValues.Failed => ("red", "browse.jobFailed"),
            JobValues.Cancelled or JobValues.Cancelling => ("grey", "browse.jobCancelled"),
            JobValues.Running => ("amber", "browse.jobRunning"),
            _ => ("grey", "browse.jobQueued"),
        };
        var html = HtmlEncoder.Default;
        var since = (job.Finished ?? job.Started ?? job.Created).ToLocalTime().ToString("g", CultureInfo.CurrentCulture);
        var running = job.Finished is null ? "<progress aria-label=\"" + html.Encode(text[key]) + "\"></progress>" : "";
        var message = job.Message is { Length: > 0 } m ? "<div><small class=\"job-message\">" + html.Encode(m) + "</small></div>" : "";
        return $"<p><span class=\"state {css}\">{html.Encode(text[key])}</span> <small>{html.Encode(since)}</small></p>{running}{message}";
    }
}
