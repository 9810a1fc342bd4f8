using System.Globalization;
using System.Text;
using QRCoder;

namespace Hort.Server.Dashboard.Auth;

/// <summary>
/// A QR code as inline SVG, drawn on the server: QRCoder computes the modules, this draws them as one path of
/// horizontal runs (no style attributes, so it passes the dashboard's content security policy).
/// </summary>
internal static class QrSvg
{
    public static string Render(string text, string label)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var rows = data.ModuleMatrix;
        var size = rows.Count;
        var path = new StringBuilder();
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                if (!rows[y][x]) continue;
                var start = x;
                while (x + 1 < size && rows[y][x + 1]) x++;
                path.Append(CultureInfo.InvariantCulture, $"M{start} {y}h{x - start + 1}v1h-{x - start + 1}z");
            }
        }

        var escaped = System.Net.WebUtility.HtmlEncode(label);
        return $"""<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 {size} {size}" width="{size * 5}" height="{size * 5}" role="img" aria-label="{escaped}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" fill="#fff"/><path fill="#000" d="{path}"/></svg>""";
    }
}
