using System.Globalization;

namespace Hort.Cli.Output;

/// <summary>
/// One line on the terminal, rewritten in place, for live progress. Disabled (prints nothing) when output is
/// not a terminal, so scripts and logs stay line-oriented.
/// </summary>
internal sealed class StatusLine : IDisposable
{
    private readonly TextWriter _writer;
    private readonly bool _enabled;
    private readonly Lock _lock = new();
    private int _lastLength;

    public StatusLine(TextWriter writer, bool enabled)
    {
        _writer = writer;
        _enabled = enabled;
    }

    public void Update(string text)
    {
        if (!_enabled) return;
        var width = Console.IsErrorRedirected ? 120 : Math.Max(40, SafeWidth() - 1);
        if (text.Length > width)
        {
            text = string.Concat(text.AsSpan(0, width - 1), "…");
        }

        lock (_lock)
        {
            _writer.Write("\r" + text.PadRight(Math.Max(_lastLength, text.Length)));
            _writer.Flush();
            _lastLength = text.Length;
        }
    }

    public void Clear()
    {
        if (!_enabled || _lastLength == 0) return;
        lock (_lock)
        {
            _writer.Write("\r" + new string(' ', _lastLength) + "\r");
            _writer.Flush();
            _lastLength = 0;
        }
    }

    public void Dispose() => Clear();

    private static int SafeWidth()
    {
        try
        {
            var width = Console.WindowWidth;
            return width > 0 ? width : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }

    /// <summary>"[0:12] 45.20%  1234/5000 files  1.20 GiB/2.60 GiB  98.5 MiB/s  ETA 0:15  /path".</summary>
    public static string Progress(TimeSpan elapsed, long filesDone, long filesTotal, long bytesDone, long bytesTotal, bool totalsKnown, string? current)
    {
        var rate = elapsed.TotalSeconds > 0.5 ? bytesDone / elapsed.TotalSeconds : 0;
        var parts = new List<string> { $"[{Units.Duration(elapsed)}]" };
        if (totalsKnown && bytesTotal > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{Math.Min(100.0, 100.0 * bytesDone / bytesTotal):0.00}%"));
        }

        parts.Add(totalsKnown ? $"{filesDone}/{filesTotal} files" : $"{filesDone} files");
        parts.Add(totalsKnown ? $"{Units.Bytes(bytesDone)}/{Units.Bytes(bytesTotal)}" : Units.Bytes(bytesDone));
        parts.Add(Units.Rate(rate));
        if (totalsKnown && rate > 0 && bytesTotal > bytesDone)
        {
            parts.Add("ETA " + Units.Duration(TimeSpan.FromSeconds((bytesTotal - bytesDone) / rate)));
        }

        if (current is not null)
        {
            parts.Add(current);
        }

        return string.Join("  ", parts);
    }
}
