namespace Hort.Cli.Output;

/// <summary>A plain aligned text table.</summary>
internal static class Table
{
    public static void Write(TextWriter w, string[] headers, IReadOnlyList<string[]> rows)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var r in rows)
        {
            for (var i = 0; i < widths.Length; i++) widths[i] = Math.Max(widths[i], r[i].Length);
        }

        w.WriteLine(Line(headers, widths));
        w.WriteLine(new string('-', widths.Sum() + (2 * (widths.Length - 1))));
        foreach (var r in rows) w.WriteLine(Line(r, widths));
    }

    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd();
}
